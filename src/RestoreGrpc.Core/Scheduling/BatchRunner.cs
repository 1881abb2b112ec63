using System.Diagnostics;
using RestoreGrpc.Core.Telemetry;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// Runs one formed batch inside its inference slot and answers its callers: gathers the inputs
/// (<see cref="BatchTensors"/>), yields before starting when interactive work is waiting, runs the model, releases the
/// slot as soon as the run returns (scattering the results overlaps the next batch's run), records cost and
/// telemetry, and completes each item that is still waiting. A preempted run's items go back to the front of their
/// queue; a run that runs out of memory is halved and the halves run one after the other in the same slot, down to
/// single items (models report running out of memory as <see cref="OutOfMemoryException"/> or
/// <see cref="InsufficientMemoryException"/>).
/// </summary>
internal sealed class BatchRunner(
    BatchPolicy policy,
    BatchQueue queue,
    Preemption preemption,
    InferenceCostModel cost,
    Action<IReadOnlyList<BatchOwner>> completed,
    Action<IReadOnlyList<BatchOwner>> preempted,
    Action requeued)
{
    public void Run(ShapeKey key, List<QueuedItem> batch, InferenceSlot slot)
    {
        try
        {
            Run(key, batch, slot, releaseAfterRun: true);
        }
        finally
        {
            slot.Release();
        }
    }

    public static bool IsOutOfMemory(Exception e) => e is OutOfMemoryException or InsufficientMemoryException;

    private void Run(ShapeKey key, List<QueuedItem> batch, InferenceSlot slot, bool releaseAfterRun)
    {
        batch.RemoveAll(i => i.IsCompleted);
        if (batch.Count == 0)
        {
            return;
        }

        var running = new RunningBatch(batch, key.Model, (double)batch.Count * key.Height * key.Width);
        queue.MarkRunning(batch, running);
        preemption.Started(running);
        int maxBatch = policy.MaxBatchFor(key.Model);
        BatchTensors tensors = BatchTensors.Gather(batch, key);
        using Activity? span = BatchTelemetry.StartBatch(key.Model, batch, static i => i.Caller, maxBatch, key.Height, key.Width);
        try
        {
            // A batch-priority batch formed just before interactive work arrived yields before it starts.
            if (running.AllBatchPriority && policy.Options.PreemptBatchPriority && queue.HasInteractive)
            {
                running.Preempt();
                running.Abandoned.ThrowIfCancellationRequested();
            }

            long started = Stopwatch.GetTimestamp();
            running.CancelIfAbandoned();
            key.Model.Run(tensors.Input, tensors.Output, batch.Count, key.Height, key.Width, running.Abandoned);
            TimeSpan inference = Stopwatch.GetElapsedTime(started);
            if (releaseAfterRun)
            {
                slot.Release();
            }

            BatchTelemetry.RecordBatch(key.Model, batch.Count, maxBatch, inference);
            cost.Record(key.Model, batch.Count, running.Pixels, inference);
            for (int i = 0; i < batch.Count; i++)
            {
                // A caller cancelled mid-run has stopped reading its buffer: leave it alone.
                if (!batch[i].IsCompleted)
                {
                    tensors.Scatter(i);
                    BatchTelemetry.RecordQueueWait(key.Model, batch[i].Caller, batch[i].Enqueued, started, span);
                    batch[i].Completion.TrySetResult(new BatchTiming(Stopwatch.GetElapsedTime(batch[i].Enqueued, started), inference, batch.Count));
                }
            }

            completed(Owners(batch));
        }
        catch (OperationCanceledException) when (running.Preempted)
        {
            // Stopped for interactive work: back to the front of the queue.
            span?.SetTag("restore.batch.preempted", true);
            queue.Requeue(key, batch);
            preempted(Owners(batch));
            requeued();
            return;
        }
        catch (OperationCanceledException) when (running.Abandoned.IsCancellationRequested)
        {
            // Every caller of this batch has gone; each already has its cancellation.
        }
        catch (Exception e) when (IsOutOfMemory(e) && batch.Count > 1)
        {
            // Too big for the device right now: halve and retry, down to single items, inside this batch's slot.
            tensors.Dispose();
            int half = batch.Count / 2;
            Run(key, batch[..half], slot, releaseAfterRun: false);
            Run(key, batch[half..], slot, releaseAfterRun: false);
            return;
        }
        catch (Exception e) when (!RestoreTelemetry.MarkFailed(span, e))
        {
            foreach (QueuedItem item in batch)
            {
                item.Completion.TrySetException(e);
            }
        }
        finally
        {
            preemption.Ended(running);
            running.Dispose();
            tensors.Dispose();
        }

        foreach (QueuedItem item in batch)
        {
            item.Registration.Dispose();
        }
    }

    private static List<BatchOwner> Owners(List<QueuedItem> batch) => batch.ConvertAll(i => i.Owner);
}
