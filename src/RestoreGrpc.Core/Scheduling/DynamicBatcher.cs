using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Tiling;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// Triton-style dynamic batching for fixed-shape items (e.g. aligned face crops): items from any request and
/// client that share a model and shape wait in one queue; a batch runs when it is full or when its oldest item has
/// waited <see cref="MaxDelay"/>. Each caller gets its own slice of the output back. A cancelled item leaves the
/// queue before inference and never holds up the others.
/// </summary>
public sealed class DynamicBatcher
{
    private readonly Dictionary<(IUpscaleModel Model, int Height, int Width), List<Pending>> _queues = [];
    private readonly Lock _lock = new();
    private readonly InferenceGate _gate;

    public DynamicBatcher(InferenceGate gate, int maxBatch = 8, TimeSpan? maxDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _gate = gate;
        MaxBatch = maxBatch;
        MaxDelay = maxDelay ?? TimeSpan.FromMilliseconds(5);
    }

    public int MaxBatch { get; }

    public TimeSpan MaxDelay { get; }

    /// <summary>Called after each batch with the tags of the items it carried (tests, metrics).</summary>
    public event Action<IReadOnlyList<object?>>? BatchCompleted;

    /// <summary>
    /// Runs one item (3·height·width input samples) through <paramref name="model"/> with whatever else is queued,
    /// and writes its result (3·height·width·scale² samples) into <paramref name="output"/>. Both buffers stay the
    /// caller's (they may be pooled); the batch tensors come from the shared tensor pool.
    /// </summary>
    public Task RunAsync(IUpscaleModel model, float[] input, float[] output, int height, int width, object? tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        cancellationToken.ThrowIfCancellationRequested();
        var key = (model, height, width);
        var item = new Pending(input, output, tag);
        bool startTimer;
        List<Pending>? full = null;
        lock (_lock)
        {
            if (!_queues.TryGetValue(key, out List<Pending>? queue))
            {
                queue = [];
                _queues[key] = queue;
            }

            queue.Add(item);
            startTimer = queue.Count == 1;
            if (queue.Count >= MaxBatch)
            {
                full = [.. queue];
                queue.Clear();
            }
        }

        item.Registration = cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                if (_queues.TryGetValue(key, out List<Pending>? queue))
                {
                    queue.Remove(item);
                }
            }

            item.Completion.TrySetCanceled(cancellationToken);
        });

        if (full is not null)
        {
            // The batch belongs to every caller in it: no single caller's token may stop it.
            _ = Task.Run(() => RunBatchAsync(key, full), CancellationToken.None);
        }
        else if (startTimer)
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(MaxDelay).ConfigureAwait(false);
                List<Pending> due;
                lock (_lock)
                {
                    due = [.. _queues[key].Take(MaxBatch)];
                    _queues[key].RemoveRange(0, due.Count);
                }

                await RunBatchAsync(key, due).ConfigureAwait(false);
            }, CancellationToken.None);
        }

        return item.Completion.Task;
    }

    private async Task RunBatchAsync((IUpscaleModel Model, int Height, int Width) key, List<Pending> items)
    {
        items.RemoveAll(i => i.Completion.Task.IsCompleted);
        if (items.Count == 0)
        {
            return;
        }

        int inputLength = 3 * key.Height * key.Width;
        int outputLength = inputLength * key.Model.Scale * key.Model.Scale;
        float[] input = TensorBuffers.Pool.Rent(items.Count * inputLength);
        float[] output = TensorBuffers.Pool.Rent(items.Count * outputLength);
        for (int i = 0; i < items.Count; i++)
        {
            items[i].Input.AsSpan(0, inputLength).CopyTo(input.AsSpan(i * inputLength));
        }

        try
        {
            using (await _gate.EnterAsync(CancellationToken.None).ConfigureAwait(false))
            {
                key.Model.Run(input, output, items.Count, key.Height, key.Width, CancellationToken.None);
            }

            for (int i = 0; i < items.Count; i++)
            {
                // A caller cancelled mid-run has stopped reading its buffer: leave it alone.
                if (!items[i].Completion.Task.IsCompleted)
                {
                    output.AsSpan(i * outputLength, outputLength).CopyTo(items[i].Output);
                    items[i].Completion.TrySetResult();
                }
            }

            BatchCompleted?.Invoke(items.Select(i => i.Tag).ToList());
        }
        catch (Exception e)
        {
            foreach (Pending item in items)
            {
                item.Completion.TrySetException(e);
            }
        }
        finally
        {
            TensorBuffers.Pool.Return(input);
            TensorBuffers.Pool.Return(output);
            foreach (Pending item in items)
            {
                item.Registration.Dispose();
            }
        }
    }

    private sealed class Pending(float[] input, float[] output, object? tag)
    {
        public float[] Input { get; } = input;

        public float[] Output { get; } = output;

        public object? Tag { get; } = tag;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
