using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Telemetry;
using RestoreGrpc.Core.Tiling;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// Triton-style dynamic batching for fixed-shape items (aligned face crops): items of any request and client that
/// share a model and shape wait in one queue; a batch runs when it is full or when its oldest item has waited
/// <see cref="DynamicBatcherOptions.MaxDelay"/>, and only once an inference slot is free. Batches are formed at
/// that moment, round-robin: interactive before batch priority, then tenants in turn, then requests in turn — so a
/// small request arriving behind a large one rides in the next batch. A cancelled item leaves the queue before
/// inference. The queue is bounded (items and bytes): beyond it work is refused with
/// <see cref="QueueFullException"/>. A batch that runs out of memory is split and retried down to single items.
/// </summary>
public sealed class DynamicBatcher : IDisposable
{
    private readonly Dictionary<ShapeKey, ShapeQueue> _queues = [];
    private readonly List<RunningBatch> _running = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<IUpscaleModel, (double Seconds, double Pixels)> _cost = new();
    private readonly Lock _lock = new();
    private readonly InferenceGate _gate;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _queuedItems;
    private long _queuedBytes;
    private double _secondsPerItem = 0.05;

    public DynamicBatcher(InferenceGate gate, DynamicBatcherOptions? options = null)
    {
        _gate = gate;
        Options = options ?? new DynamicBatcherOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxBatch, 1);
        _loop = Task.Run(DispatchLoopAsync);
    }

    public DynamicBatcherOptions Options { get; }

    /// <summary>Items waiting right now.</summary>
    public int QueuedItems => Volatile.Read(ref _queuedItems);

    /// <summary>Shapes with a queue right now (tests: queues must not accumulate).</summary>
    internal int QueuedShapes
    {
        get
        {
            lock (_lock)
            {
                return _queues.Count;
            }
        }
    }

    /// <summary>Measured inference seconds per model input pixel (decayed average over runs, weighted by pixels);
    /// null before the model has run here.</summary>
    public double? SecondsPerInputPixel(IUpscaleModel model) =>
        _cost.TryGetValue(model, out (double Seconds, double Pixels) cost) && cost.Pixels > 0 ? cost.Seconds / cost.Pixels : null;

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
        var key = new ShapeKey(model, height, width);
        long bytes = 3L * height * width * sizeof(float);
        var item = new Pending(input, output, owner, bytes);
        lock (_lock)
        {
            if (_queuedItems + 1 > Options.MaxQueuedItems || _queuedBytes + bytes > Options.MaxQueuedBytes)
            {
                TimeSpan retryAfter = TimeSpan.FromSeconds(Math.Max(0.1, _queuedItems * _secondsPerItem));
                throw new QueueFullException(
                    $"the inference queue is full ({_queuedItems} items, {_queuedBytes / (1 << 20)} MiB queued); retry after {retryAfter.TotalSeconds:F1} s",
                    retryAfter);
            }

            if (!_queues.TryGetValue(key, out ShapeQueue? queue))
            {
                queue = new ShapeQueue();
                _queues[key] = queue;
            }

            queue.Add(item);
            _queuedItems++;
            _queuedBytes += bytes;
        }

        item.Registration = cancellationToken.Register(() =>
        {
            RunningBatch? running;
            lock (_lock)
            {
                if (_queues.TryGetValue(key, out ShapeQueue? queue) && queue.Remove(item))
                {
                    _queuedItems--;
                    _queuedBytes -= item.Bytes;
                    ForgetIfEmpty(key, queue);
                }

                running = item.Batch;
            }

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
                ShapeKey? found = ReadyShape(out TimeSpan wait);
                while (found is null)
                {
                    await _signal.WaitAsync(wait, stopping).ConfigureAwait(false);
                    found = ReadyShape(out wait);
                }

                // 2. Wait for an inference slot; 3. choose the shape again and form the batch now, so late arrivals
                // (interactive work that preempted a run, say) are served fairly.
                InferenceGate.Lease lease = await _gate.EnterAsync(stopping).ConfigureAwait(false);
                ShapeKey ready = ReadyShape(out _) ?? found;
                List<Pending> batch;
                lock (_lock)
                {
                    // The queue may have emptied (its items cancelled) while this loop waited for the slot.
                    if (_queues.TryGetValue(ready, out ShapeQueue? queue))
                    {
                        batch = queue.Take(MaxBatchFor(ready.Model));
                        _queuedItems -= batch.Count;
                        _queuedBytes -= batch.Sum(i => i.Bytes);
                        ForgetIfEmpty(ready, queue);
                    }
                    else
                    {
                        batch = [];
                    }
                }

                if (batch.Count == 0)
                {
                    lease.Dispose();
                    continue;
                }

                _ = Task.Run(() => RunBatch(ready, batch, new SlotHolder(lease)), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>The priority a request of <paramref name="tiles"/> tiles is scheduled at
    /// (<see cref="DynamicBatcherOptions.BatchPriorityAboveTiles"/>).</summary>
    public SchedulingPriority PriorityFor(SchedulingPriority requested, long tiles) =>
        Options.BatchPriorityAboveTiles > 0 && tiles > Options.BatchPriorityAboveTiles ? SchedulingPriority.Batch : requested;

    /// <summary>Items per run for a model: its catalog entry's <c>MaxBatch</c> when set, else the batcher's.</summary>
    public int MaxBatchFor(IUpscaleModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Descriptor.MaxBatch > 0 ? model.Descriptor.MaxBatch : Options.MaxBatch;
    }

    /// <summary>Queue delay for a model: its catalog entry's <c>MaxQueueDelayMs</c> when set, else the batcher's.</summary>
    public TimeSpan MaxDelayFor(IUpscaleModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Descriptor.MaxQueueDelayMs is { } ms and >= 0 ? TimeSpan.FromMilliseconds(ms) : Options.MaxDelay;
    }

    /// <summary>
    /// Stops the running batch-priority batch with the most work left, when no slot is free and that work exceeds
    /// what the interactive newcomer needs (both from the measured per-pixel cost).
    /// </summary>
    private void PreemptFor(IUpscaleModel model, double inputSamples)
    {
        if (_gate.FreeSlots > 0 || SecondsPerInputPixel(model) is not { } perPixel)
        {
            return;
        }

        double newcomer = perPixel * inputSamples / 3;
        RunningBatch? victim = null;
        double mostLeft = newcomer;
        lock (_lock)
        {
            foreach (RunningBatch running in _running)
            {
                if (running.AllBatchPriority && SecondsPerInputPixel(running.Model) is { } cost)
                {
                    double left = (cost * running.Pixels) - Stopwatch.GetElapsedTime(running.Started).TotalSeconds;
                    if (left > mostLeft)
                    {
                        (victim, mostLeft) = (running, left);
                    }
                }
            }
        }

        victim?.Preempt();
    }

    private bool InteractiveWaiting()
    {
        lock (_lock)
        {
            return _queues.Values.Any(q => q.HasInteractive);
        }
    }

    /// <summary>Puts a stopped batch's items back at the front of their queue, in order, outside admission.</summary>
    private void Requeue(ShapeKey key, List<Pending> batch)
    {
        lock (_lock)
        {
            if (!_queues.TryGetValue(key, out ShapeQueue? queue))
            {
                queue = new ShapeQueue();
                _queues[key] = queue;
            }

            for (int i = batch.Count - 1; i >= 0; i--)
            {
                Pending item = batch[i];
                item.Batch = null;
                if (!item.Completion.Task.IsCompleted)
                {
                    queue.AddFirst(item);
                    _queuedItems++;
                    _queuedBytes += item.Bytes;
                }
            }

            ForgetIfEmpty(key, queue);
        }

        BatchPreempted?.Invoke(batch.Select(i => i.Owner).ToList());
        _signal.Release();
    }

    /// <summary>Every image size smaller than a tile has its own shape: empty queues go, so nothing accumulates.</summary>
    private void ForgetIfEmpty(ShapeKey key, ShapeQueue queue)
    {
        if (queue.Count == 0)
        {
            _queues.Remove(key);
        }
    }

    private ShapeKey? ReadyShape(out TimeSpan wait)
    {
        wait = Timeout.InfiniteTimeSpan;
        long now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            ShapeKey? best = null;
            long oldest = long.MaxValue;
            bool bestInteractive = false;
            foreach ((ShapeKey key, ShapeQueue queue) in _queues)
            {
                if (queue.Count == 0)
                {
                    continue;
                }

                TimeSpan age = Stopwatch.GetElapsedTime(queue.OldestTimestamp, now);
                TimeSpan maxDelay = MaxDelayFor(key.Model);
                if (queue.Count >= MaxBatchFor(key.Model) || age >= maxDelay)
                {
                    // Shapes holding interactive work first, then the longest waiting.
                    bool interactive = queue.HasInteractive;
                    if ((interactive && !bestInteractive) || (interactive == bestInteractive && queue.OldestTimestamp < oldest))
                    {
                        (best, oldest, bestInteractive) = (key, queue.OldestTimestamp, interactive);
                    }
                }
                else
                {
                    TimeSpan remaining = maxDelay - age;
                    wait = wait == Timeout.InfiniteTimeSpan || remaining < wait ? remaining : wait;
                }
            }

            return best;
        }
    }

    private void RunBatch(ShapeKey key, List<Pending> batch, SlotHolder slot)
    {
        try
        {
            RunBatchHoldingSlot(key, batch, slot, releaseAfterRun: true);
        }
        finally
        {
            slot.Release();
        }
    }

    /// <summary>Runs a batch; unless it is half of a split batch, the inference slot is released as soon as the
    /// model run ends, so scattering the results to their requests overlaps the next batch's run.</summary>
    private void RunBatchHoldingSlot(ShapeKey key, List<Pending> batch, SlotHolder slot, bool releaseAfterRun)
    {
        batch.RemoveAll(i => i.Completion.Task.IsCompleted);
        if (batch.Count == 0)
        {
            return;
        }

        RunningBatch running;
        lock (_lock)
        {
            running = new RunningBatch(batch, key.Model, (double)batch.Count * key.Height * key.Width);
            _running.Add(running);
        }

        int inputLength = 3 * key.Height * key.Width;
        int outputLength = inputLength * key.Model.Scale * key.Model.Scale;

        // A batch of one runs on the caller's own buffers: no copies (a ×4 tile's output is tens of megabytes).
        bool single = batch.Count == 1;
        float[] input = single ? batch[0].Input : TensorBuffers.Pool.Rent(batch.Count * inputLength);
        float[] output = single ? batch[0].Output : TensorBuffers.Pool.Rent(batch.Count * outputLength);
        using Activity? span = BatchTelemetry.StartBatch(key.Model, batch, static i => i.Caller, MaxBatchFor(key.Model), key.Height, key.Width);
        try
        {
            for (int i = 0; !single && i < batch.Count; i++)
            {
                batch[i].Input.AsSpan(0, inputLength).CopyTo(input.AsSpan(i * inputLength));
            }

            // A batch-priority batch formed just before interactive work arrived yields before it starts.
            if (running.AllBatchPriority && Options.PreemptBatchPriority && InteractiveWaiting())
            {
                running.Preempt();
                running.Abandoned.ThrowIfCancellationRequested();
            }

            long started = Stopwatch.GetTimestamp();
            running.CancelIfAbandoned();
            key.Model.Run(input, output, batch.Count, key.Height, key.Width, running.Abandoned);
            TimeSpan inference = Stopwatch.GetElapsedTime(started);
            if (releaseAfterRun)
            {
                slot.Release();
            }

            BatchTelemetry.RecordBatch(key.Model, batch.Count, MaxBatchFor(key.Model), inference);
            double perItem = inference.TotalSeconds / batch.Count;
            Volatile.Write(ref _secondsPerItem, (0.8 * Volatile.Read(ref _secondsPerItem)) + (0.2 * perItem));
            // Decayed sums of time and pixels: large runs dominate, so per-run overhead of tiny images does not
            // inflate the per-pixel cost.
            double pixels = (double)batch.Count * key.Height * key.Width;
            _cost.AddOrUpdate(
                key.Model,
                (inference.TotalSeconds, pixels),
                (_, previous) => ((0.9 * previous.Seconds) + inference.TotalSeconds, (0.9 * previous.Pixels) + pixels));

            for (int i = 0; i < batch.Count; i++)
            {
                // A caller cancelled mid-run has stopped reading its buffer: leave it alone.
                if (!batch[i].Completion.Task.IsCompleted)
                {
                    if (!single)
                    {
                        output.AsSpan(i * outputLength, outputLength).CopyTo(batch[i].Output);
                    }

                    BatchTelemetry.RecordQueueWait(key.Model, batch[i].Caller, batch[i].Enqueued, started, span);
                    batch[i].Completion.TrySetResult(new BatchTiming(Stopwatch.GetElapsedTime(batch[i].Enqueued, started), inference, batch.Count));
                }
            }

            BatchCompleted?.Invoke(batch.Select(i => i.Owner).ToList());
        }
        catch (OperationCanceledException) when (running.Preempted)
        {
            // Stopped for interactive work: back to the front of the queue.
            span?.SetTag("restore.batch.preempted", true);
            Requeue(key, batch);
            return;
        }
        catch (OperationCanceledException) when (running.Abandoned.IsCancellationRequested)
        {
            // Every caller of this batch has gone; each already has its cancellation.
        }
        catch (Exception e) when (IsOutOfMemory(e) && batch.Count > 1)
        {
            // Too big for the device right now: halve and retry, down to single items.
            int half = batch.Count / 2;
            TensorBuffers.Pool.Return(input);
            TensorBuffers.Pool.Return(output);
            single = true; // nothing pooled left to return

            // The halves run one after the other inside the slot this batch holds.
            RunBatchHoldingSlot(key, batch[..half], slot, releaseAfterRun: false);
            RunBatchHoldingSlot(key, batch[half..], slot, releaseAfterRun: false);
            return;
        }
        catch (Exception e) when (!RestoreTelemetry.MarkFailed(span, e))
        {
            foreach (Pending item in batch)
            {
                item.Completion.TrySetException(e);
            }
        }
        finally
        {
            lock (_lock)
            {
                _running.Remove(running);
            }

            running.Dispose();
            if (!single)
            {
                TensorBuffers.Pool.Return(input);
                TensorBuffers.Pool.Return(output);
            }
        }

        foreach (Pending item in batch)
        {
            item.Registration.Dispose();
        }
    }

    private static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException or InsufficientMemoryException
        || (e is OnnxRuntimeException && e.Message.Contains("allocate", StringComparison.OrdinalIgnoreCase));

    private sealed record ShapeKey(IUpscaleModel Model, int Height, int Width);

    /// <summary>An inference slot released once, either right after the model run or when the batch ends.</summary>
    private sealed class SlotHolder(InferenceGate.Lease lease)
    {
        private int _released;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                lease.Dispose();
            }
        }
    }

    private sealed class Pending(float[] input, float[] output, BatchOwner owner, long bytes)
    {
        public float[] Input { get; } = input;

        public float[] Output { get; } = output;

        public BatchOwner Owner { get; } = owner;

        public long Bytes { get; } = bytes;

        public long Enqueued { get; } = Stopwatch.GetTimestamp();

        /// <summary>The caller's span when the item was queued: the batch span links to it.</summary>
        public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

        public TaskCompletionSource<BatchTiming> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>The batch carrying the item once it left the queue; guarded by the batcher's lock.</summary>
        public RunningBatch? Batch { get; set; }
    }

    /// <summary>A formed batch; its token stops the model run once all of its callers have cancelled, or when
    /// interactive work preempts it.</summary>
    private sealed class RunningBatch : IDisposable
    {
        private readonly List<Pending> _items;
        private readonly CancellationTokenSource _abandoned = new();
        private int _preempted;

        public RunningBatch(List<Pending> items, IUpscaleModel model, double pixels)
        {
            _items = items;
            Model = model;
            Pixels = pixels;
            AllBatchPriority = items.TrueForAll(i => i.Owner.Priority == SchedulingPriority.Batch);
            foreach (Pending item in items)
            {
                item.Batch = this;
            }
        }

        public IUpscaleModel Model { get; }

        public double Pixels { get; }

        public bool AllBatchPriority { get; }

        public long Started { get; } = Stopwatch.GetTimestamp();

        public CancellationToken Abandoned => _abandoned.Token;

        public bool Preempted => Volatile.Read(ref _preempted) == 1;

        public void Preempt()
        {
            if (Interlocked.Exchange(ref _preempted, 1) == 0)
            {
                try
                {
                    _abandoned.Cancel();
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        public void CancelIfAbandoned()
        {
            if (_items.TrueForAll(i => i.Completion.Task.IsCanceled))
            {
                try
                {
                    _abandoned.Cancel();
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        public void Dispose() => _abandoned.Dispose();
    }

    /// <summary>
    /// The items of one shape, grouped by priority, tenant and request. <see cref="Take"/> deals items out one at a
    /// time: interactive first; within a priority the tenant served least recently, then that tenant's request served
    /// least recently (a virtual clock: each item dealt ticks it, and a request or tenant that arrives is stamped
    /// with the clock's current value, so it waits at most one turn of each one already waiting — no skipped turns
    /// when requests come and go, and no starvation of a large job by a stream of new small ones).
    /// </summary>
    private sealed class ShapeQueue
    {
        private readonly List<RequestLine> _requests = [];
        private readonly Dictionary<string, long> _tenantServed = new(StringComparer.Ordinal);
        private long _clock;

        public int Count { get; private set; }

        public long OldestTimestamp => _requests.Where(r => r.Items.Count > 0).Select(r => r.Items.First!.Value.Enqueued).DefaultIfEmpty(long.MaxValue).Min();

        public bool HasInteractive => _requests.Exists(r => r.Items.Count > 0 && r.Items.First!.Value.Owner.Priority == SchedulingPriority.Interactive);

        public void Add(Pending item) => LineFor(item, servedAt: _clock).Items.AddLast(item);

        /// <summary>Puts an item back at the head of its request's line (a preempted batch's item), first in turn.</summary>
        public void AddFirst(Pending item) => LineFor(item, servedAt: long.MinValue).Items.AddFirst(item);

        public bool Remove(Pending item)
        {
            foreach (RequestLine line in _requests)
            {
                if (line.Items.Remove(item))
                {
                    Count--;
                    Prune();
                    return true;
                }
            }

            return false;
        }

        public List<Pending> Take(int max)
        {
            var batch = new List<Pending>(Math.Min(max, Count));
            foreach (SchedulingPriority priority in new[] { SchedulingPriority.Interactive, SchedulingPriority.Batch })
            {
                while (batch.Count < max)
                {
                    RequestLine? next = null;
                    foreach (RequestLine line in _requests)
                    {
                        if (line.Items.Count > 0 && line.Items.First!.Value.Owner.Priority == priority && (next is null || Before(line, next)))
                        {
                            next = line;
                        }
                    }

                    if (next is null)
                    {
                        break;
                    }

                    batch.Add(next.Items.First!.Value);
                    next.Items.RemoveFirst();
                    Count--;
                    _clock++;
                    next.ServedAt = _clock;
                    _tenantServed[next.Tenant] = _clock;
                }
            }

            Prune();
            return batch;
        }

        /// <summary>Whether <paramref name="a"/> goes before <paramref name="b"/>: tenant's turn, request's turn, age.</summary>
        private bool Before(RequestLine a, RequestLine b)
        {
            long tenantA = _tenantServed[a.Tenant], tenantB = _tenantServed[b.Tenant];
            if (tenantA != tenantB)
            {
                return tenantA < tenantB;
            }

            return a.ServedAt != b.ServedAt ? a.ServedAt < b.ServedAt : a.Items.First!.Value.Enqueued < b.Items.First!.Value.Enqueued;
        }

        private RequestLine LineFor(Pending item, long servedAt)
        {
            RequestLine? line = _requests.Find(r => ReferenceEquals(r.Request, item.Owner.Request));
            if (line is null)
            {
                line = new RequestLine(item.Owner.Request, item.Owner.Tenant) { ServedAt = servedAt };
                _requests.Add(line);
                _tenantServed.TryAdd(line.Tenant, servedAt);
            }

            Count++;
            return line;
        }

        /// <summary>Lines and tenants with nothing queued go: a returning one is stamped anew.</summary>
        private void Prune()
        {
            _requests.RemoveAll(r => r.Items.Count == 0);
            foreach (string tenant in _tenantServed.Keys.Where(t => !_requests.Exists(r => r.Tenant == t)).ToList())
            {
                _tenantServed.Remove(tenant);
            }
        }

        private sealed class RequestLine(object request, string tenant)
        {
            public object Request { get; } = request;

            public string Tenant { get; } = tenant;

            public LinkedList<Pending> Items { get; } = new();

            public long ServedAt { get; set; }
        }
    }
}
