using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// Triton-style dynamic batching for fixed-shape items (tiles, aligned face crops): items of any request and client
/// that share a model and shape wait in one queue; a batch runs when it is full or when its oldest item has waited
/// <see cref="DynamicBatcherOptions.MaxDelay"/>, and only once an inference slot is free. The parts, one file each:
/// <list type="bullet">
/// <item><see cref="BatchAdmission"/>: the queue's bound in items and bytes (<see cref="QueueFullException"/>).</item>
/// <item><see cref="BatchQueue"/> and <see cref="ShapeQueue"/>: one fair virtual-clock queue per shape.</item>
/// <item>This class: admission, cancellation and the dispatch loop (ready shape → slot → batch).</item>
/// <item><see cref="BatchRunner"/>: one batch's run, the out-of-memory split and the requeue of a preempted run.</item>
/// <item><see cref="BatchTensors"/>: pooled batch tensors, or the caller's own buffers for a batch of one.</item>
/// <item><see cref="Preemption"/> and <see cref="RunningBatch"/>: which running batch interactive work stops.</item>
/// <item><see cref="InferenceCostModel"/>: measured seconds per pixel and per item.</item>
/// <item><see cref="BatchPolicy"/>: per-model batch size, delay and the large-request priority.</item>
/// </list>
/// </summary>
public sealed class DynamicBatcher : IDisposable
{
    private readonly InferenceGate _gate;
    private readonly BatchPolicy _policy;
    private readonly BatchQueue _queue;
    private readonly InferenceCostModel _cost = new();
    private readonly Preemption _preemption;
    private readonly BatchRunner _runner;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public DynamicBatcher(InferenceGate gate, DynamicBatcherOptions? options = null)
    {
        _gate = gate;
        Options = options ?? new DynamicBatcherOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxBatch, 1);
        _policy = new BatchPolicy(Options);
        _queue = new BatchQueue(_policy, new BatchAdmission(Options.MaxQueuedItems, Options.MaxQueuedBytes));
        _preemption = new Preemption(_cost);
        _runner = new BatchRunner(
            _policy,
            _queue,
            _preemption,
            _cost,
            owners => BatchCompleted?.Invoke(owners),
            owners => BatchPreempted?.Invoke(owners),
            () => _signal.Release());
        _loop = Task.Run(DispatchLoopAsync);
    }

    public DynamicBatcherOptions Options { get; }

    /// <summary>Items waiting right now.</summary>
    public int QueuedItems => _queue.QueuedItems;

    /// <summary>Shapes with a queue right now (tests: queues must not accumulate).</summary>
    internal int QueuedShapes => _queue.QueuedShapes;

    /// <summary>Measured inference seconds per model input pixel (decayed average over runs, weighted by pixels);
    /// null before the model has run here.</summary>
    public double? SecondsPerInputPixel(IUpscaleModel model) => _cost.SecondsPerInputPixel(model);

    /// <summary>Called after each successful batch with the owners of the items it carried (tests, metrics).</summary>
    public event Action<IReadOnlyList<BatchOwner>>? BatchCompleted;

    /// <summary>Called when a running batch is stopped for interactive work, with the owners of its items.</summary>
    public event Action<IReadOnlyList<BatchOwner>>? BatchPreempted;

    /// <summary>
    /// Runs one item (3·height·width input samples) through <paramref name="model"/> with whatever else is queued,
    /// and writes its result (3·height·width·scale² samples) into <paramref name="output"/>. Both buffers stay the
    /// caller's (they may be pooled); the batch tensors come from the shared tensor pool.
    /// </summary>
    /// <returns>How long the item queued and how long its batch ran.</returns>
    /// <exception cref="QueueFullException">The queue is at its bound.</exception>
    public Task<BatchTiming> RunAsync(IUpscaleModel model, float[] input, float[] output, int height, int width, BatchOwner owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(owner);
        cancellationToken.ThrowIfCancellationRequested();
        var item = new QueuedItem(new ShapeKey(model, height, width), input, output, owner);
        _queue.Enqueue(item, _cost.SecondsPerItem);
        item.Registration = cancellationToken.Register(() =>
        {
            RunningBatch? running = _queue.Withdraw(item);
            item.Completion.TrySetCanceled(cancellationToken);

            // When every item of a running batch is cancelled, the run itself stops (ONNX Runtime terminates).
            running?.CancelIfAbandoned();
        });

        _signal.Release();
        if (owner.Priority == SchedulingPriority.Interactive && Options.PreemptBatchPriority)
        {
            PreemptFor(model, 3.0 * height * width);
        }

        return item.Completion.Task;
    }

    /// <summary>The priority a request of <paramref name="tiles"/> tiles is scheduled at
    /// (<see cref="DynamicBatcherOptions.BatchPriorityAboveTiles"/>).</summary>
    public SchedulingPriority PriorityFor(SchedulingPriority requested, long tiles) => _policy.PriorityFor(requested, tiles);

    /// <summary>Items per run for a model: its catalog entry's <c>MaxBatch</c> when set, else the batcher's.</summary>
    public int MaxBatchFor(IUpscaleModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _policy.MaxBatchFor(model);
    }

    /// <summary>Queue delay for a model: its catalog entry's <c>MaxQueueDelayMs</c> when set, else the batcher's.</summary>
    public TimeSpan MaxDelayFor(IUpscaleModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _policy.MaxDelayFor(model);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
        _signal.Dispose();
    }

    private async Task DispatchLoopAsync()
    {
        CancellationToken stopping = _stop.Token;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                // 1. Wait until some shape has a full batch or an item past its delay.
                ShapeKey? found = _queue.ReadyShape(out TimeSpan wait);
                while (found is null)
                {
                    await _signal.WaitAsync(wait, stopping).ConfigureAwait(false);
                    found = _queue.ReadyShape(out wait);
                }

                // 2. Wait for an inference slot; 3. choose the shape again and form the batch now, so late arrivals
                // (interactive work that preempted a run, say) are served fairly.
                InferenceGate.Lease lease = await _gate.EnterAsync(stopping).ConfigureAwait(false);
                ShapeKey ready = _queue.ReadyShape(out _) ?? found;

                // The queue may have emptied (its items cancelled) while this loop waited for the slot.
                List<QueuedItem> batch = _queue.Take(ready, _policy.MaxBatchFor(ready.Model));
                if (batch.Count == 0)
                {
                    lease.Dispose();
                    continue;
                }

                _ = Task.Run(() => _runner.Run(ready, batch, new InferenceSlot(lease)), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops the running batch-priority batch with the most work left, when no slot is free and that work
    /// exceeds what the interactive newcomer needs.</summary>
    private void PreemptFor(IUpscaleModel model, double inputSamples)
    {
        if (_gate.FreeSlots > 0 || _cost.SecondsPerInputPixel(model) is not { } perPixel)
        {
            return;
        }

        _preemption.VictimFor(perPixel * inputSamples / 3)?.Preempt();
    }
}
