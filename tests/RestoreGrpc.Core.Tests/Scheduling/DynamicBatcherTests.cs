using System.Collections.Concurrent;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests.Scheduling;

public sealed class DynamicBatcherTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Items_from_concurrent_requests_share_batches_and_each_gets_its_own_result()
    {
        var model = new RecordingModel();
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 4, MaxDelay = TimeSpan.FromMilliseconds(200) });
        var batches = new ConcurrentQueue<IReadOnlyList<BatchOwner>>();
        batcher.BatchCompleted += owners => batches.Enqueue(owners);
        BatchOwner[] requests = [.. Enumerable.Range(0, 3).Select(i => new BatchOwner($"request-{i}"))];

        // Three requests of three items each; every item's input is unique.
        float[][] results = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => RunAsync(batcher, model, Item(i), requests[i % 3], Ct))).WaitAsync(Patience, Ct);

        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(Item(i), results[i]);
        }

        Assert.Equal(9, batches.Sum(b => b.Count));
        Assert.All(batches, b => Assert.InRange(b.Count, 1, 4));
        Assert.Contains(batches, b => b.Distinct().Count() > 1);
    }

    [Fact]
    public async Task Queues_of_one_off_shapes_do_not_accumulate()
    {
        var model = new RecordingModel();
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxDelay = TimeSpan.Zero });
        for (int size = 1; size <= 5; size++)
        {
            float[] input = new float[3 * size * size];
            await batcher.RunAsync(model, input, new float[input.Length], size, size, BatchOwner.Anonymous(), Ct).WaitAsync(Patience, Ct);
        }

        Assert.Equal(0, batcher.QueuedShapes);
        Assert.Equal(0, batcher.QueuedItems);
    }

    [Fact]
    public async Task A_model_can_set_its_own_batch_size_and_delay()
    {
        var model = new RecordingModel(maxBatch: 2, maxQueueDelayMs: 0);
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 8, MaxDelay = TimeSpan.FromHours(1) });
        Assert.Equal((2, TimeSpan.Zero), (batcher.MaxBatchFor(model), batcher.MaxDelayFor(model)));

        // With the batcher's own settings these would wait an hour for a batch of 8.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => RunAsync(batcher, model, Item(i), BatchOwner.Anonymous(), Ct))).WaitAsync(Patience, Ct);
        Assert.All(model.BatchSizes, size => Assert.InRange(size, 1, 2));
    }

    [Fact]
    public async Task The_per_pixel_cost_is_not_skewed_by_the_overhead_of_tiny_runs()
    {
        var model = new SleepingModel();
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxDelay = TimeSpan.Zero });
        Assert.Null(batcher.SecondsPerInputPixel(model));
        for (int i = 0; i < 5; i++)
        {
            await batcher.RunAsync(model, new float[3], new float[3], 1, 1, BatchOwner.Anonymous(), Ct).WaitAsync(Patience, Ct);
        }

        await batcher.RunAsync(model, new float[3 * 100 * 100], new float[3 * 100 * 100], 100, 100, BatchOwner.Anonymous(), Ct).WaitAsync(Patience, Ct);

        // A 100×100 run costs 20 µs per pixel; five 1-pixel runs cost 20 ms each, almost all overhead.
        double perPixel = batcher.SecondsPerInputPixel(model)!.Value;
        Assert.InRange(perPixel, 15e-6, 60e-6);
    }

    /// <summary>Sleeps 20 ms per run for anything up to 1000 pixels, else 20 µs per pixel.</summary>
    private sealed class SleepingModel : IUpscaleModel
    {
        public ModelDescriptor Descriptor { get; } = new() { Name = "sleeping", Task = ModelTaskKind.FaceRestoration };

        public int Scale => 1;

        public string ExecutionProvider => "test";

        public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken) =>
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(20, batch * height * width * 0.02)));
    }

    [Theory]
    [InlineData(SchedulingPriority.Batch, true)]
    [InlineData(SchedulingPriority.Interactive, false)]
    public async Task Interactive_work_preempts_a_long_batch_priority_run_which_then_reruns_intact(SchedulingPriority bigPriority, bool preempts)
    {
        var model = new PacedModel();
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 1, MaxDelay = TimeSpan.Zero });
        int preempted = 0;
        batcher.BatchPreempted += _ => Interlocked.Increment(ref preempted);
        await batcher.RunAsync(model, new float[3 * 4], new float[3 * 4], 2, 2, BatchOwner.Anonymous(), Ct).WaitAsync(Patience, Ct); // measures the cost

        // Two tiles of a large job: one running, the next queued (and chosen as the next shape to run).
        float[] bigInput = [.. Enumerable.Range(0, 3 * 40 * 40).Select(i => (float)i)];
        float[][] bigOutputs = [new float[bigInput.Length], new float[bigInput.Length]];
        var bigOwner = new BatchOwner("big", Priority: bigPriority);
        Task[] big = [.. bigOutputs.Select(output => batcher.RunAsync(model, bigInput, output, 40, 40, bigOwner, Ct))];
        await model.BigRunStarted.WaitAsync(Patience, Ct);
        Task small = batcher.RunAsync(model, new float[3 * 4], new float[3 * 4], 2, 2, new BatchOwner("small"), Ct);

        Task first = await Task.WhenAny([.. big, small]).WaitAsync(Patience, Ct);
        await Task.WhenAll([.. big, small]).WaitAsync(Patience, Ct);
        Assert.Equal(preempts ? small : big[0], first);
        Assert.Equal(preempts ? 1 : 0, preempted);
        Assert.Equal(preempts ? 3 : 2, model.BigRuns);
        Assert.All(bigOutputs, output => Assert.Equal(bigInput, output));
    }

    /// <summary>Identity ×1 model taking 0.5 ms per pixel, stopped at once by cancellation.</summary>
    private sealed class PacedModel : IUpscaleModel
    {
        private readonly TaskCompletionSource _bigRunStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _bigRuns;

        public ModelDescriptor Descriptor { get; } = new() { Name = "paced", Task = ModelTaskKind.FaceRestoration };

        public int Scale => 1;

        public string ExecutionProvider => "test";

        public Task BigRunStarted => _bigRunStarted.Task;

        public int BigRuns => Volatile.Read(ref _bigRuns);

        public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken)
        {
            int pixels = batch * height * width;
            if (pixels > 100)
            {
                Interlocked.Increment(ref _bigRuns);
                _bigRunStarted.TrySetResult();
            }

            cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(0.5 * pixels));
            cancellationToken.ThrowIfCancellationRequested();
            input.Span[..(3 * pixels)].CopyTo(output.Span);
        }
    }

    [Fact]
    public async Task A_full_batch_runs_without_waiting_for_the_delay()
    {
        var model = new RecordingModel();
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 2, MaxDelay = TimeSpan.FromHours(1) });
        float[][] results = await Task.WhenAll(
            RunAsync(batcher, model, Item(1), BatchOwner.Anonymous(), Ct),
            RunAsync(batcher, model, Item(2), BatchOwner.Anonymous(), Ct)).WaitAsync(Patience, Ct);
        Assert.Equal(Item(2), results[1]);
        Assert.Equal(1, model.Batches);
    }

    [Fact]
    public async Task A_small_request_behind_a_large_job_rides_in_the_next_batch()
    {
        var model = new RecordingModel { Hold = new SemaphoreSlim(0) };
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 4, MaxDelay = TimeSpan.Zero });
        var batches = new ConcurrentQueue<IReadOnlyList<BatchOwner>>();
        batcher.BatchCompleted += owners => batches.Enqueue(owners);
        var large = new BatchOwner("large");
        var small = new BatchOwner("small");

        Task<float[]>[] largeItems = [.. Enumerable.Range(0, 24).Select(i => RunAsync(batcher, model, Item(i), large, Ct))];
        await model.Started.WaitAsync(Patience, Ct); // the first batch is running, the rest of the large job queued
        Task<float[]>[] smallItems = [.. Enumerable.Range(100, 2).Select(i => RunAsync(batcher, model, Item(i), small, Ct))];
        model.Hold.Release(100);

        await Task.WhenAll(smallItems).WaitAsync(Patience, Ct);
        await Task.WhenAll(largeItems).WaitAsync(Patience, Ct);
        Assert.Contains(batches, b => b.Contains(small) && b.Contains(large)); // mixed batches, seen through the hook
        float[][] runs = [.. model.RunInputs];
        int firstWithSmall = Array.FindIndex(runs, r => r.Contains(Item(100)[0]));
        Assert.True(firstWithSmall == 1, $"the small request's first batch was number {firstWithSmall + 1} of {runs.Length}");
        Assert.Contains(Item(101)[0], runs[1]);
    }

    [Fact]
    public async Task Interactive_work_goes_before_batch_work()
    {
        var model = new RecordingModel { Hold = new SemaphoreSlim(0) };
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 2, MaxDelay = TimeSpan.Zero });
        var bulk = new BatchOwner("bulk", Priority: SchedulingPriority.Batch);
        var interactive = new BatchOwner("interactive", Priority: SchedulingPriority.Interactive);

        Task<float[]>[] bulkItems = [.. Enumerable.Range(0, 8).Select(i => RunAsync(batcher, model, Item(i), bulk, Ct))];
        await model.Started.WaitAsync(Patience, Ct);
        Task<float[]> urgent = RunAsync(batcher, model, Item(50), interactive, Ct);
        model.Hold.Release(100);
        await Task.WhenAll([.. bulkItems, urgent]).WaitAsync(Patience, Ct);

        // Runs in the order they started (completion callbacks may overlap once the slot is free).
        Assert.Contains(Item(50)[0], model.RunInputs.ElementAt(1));
        Assert.Equal(5, model.RunInputs.Count);
    }

    [Fact]
    public async Task Requests_that_come_and_go_are_served_in_turn_without_skips()
    {
        var model = new RecordingModel { Hold = new SemaphoreSlim(0) };
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 1, MaxDelay = TimeSpan.Zero });
        Task<float[]> first = RunAsync(batcher, model, Item(0), new BatchOwner("first"), Ct);
        await model.Started.WaitAsync(Patience, Ct);

        // Nine one-tile requests queue behind the running one; each leaves the queue as it is served.
        Task<float[]>[] others = [.. Enumerable.Range(1, 9).Select(i => RunAsync(batcher, model, Item(i), new BatchOwner($"r{i}"), Ct))];
        model.Hold.Release(100);
        await Task.WhenAll([first, .. others]).WaitAsync(Patience, Ct);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => Item(i)[0]), model.RunInputs.Select(r => r[0]));
    }

    [Theory]
    [InlineData(SchedulingPriority.Interactive, 16, 16, SchedulingPriority.Interactive)]
    [InlineData(SchedulingPriority.Interactive, 16, 17, SchedulingPriority.Batch)]
    [InlineData(SchedulingPriority.Batch, 16, 1, SchedulingPriority.Batch)]
    [InlineData(SchedulingPriority.Interactive, 0, 10_000, SchedulingPriority.Interactive)]
    public void Requests_of_many_tiles_are_scheduled_as_batch_work(SchedulingPriority requested, int threshold, long tiles, SchedulingPriority expected)
    {
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { BatchPriorityAboveTiles = threshold });
        Assert.Equal(expected, batcher.PriorityFor(requested, tiles));
    }

    [Fact]
    public async Task Tenants_take_turns()
    {
        var model = new RecordingModel { Hold = new SemaphoreSlim(0) };
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 4, MaxDelay = TimeSpan.Zero });
        var batches = new ConcurrentQueue<IReadOnlyList<BatchOwner>>();
        batcher.BatchCompleted += owners => batches.Enqueue(owners);
        Task<float[]> blocker = RunAsync(batcher, model, Item(0), BatchOwner.Anonymous(), Ct);
        await model.Started.WaitAsync(Patience, Ct);

        // Tenant A sends three requests of four items; tenant B one request of four.
        BatchOwner[] a = [new("a1", "A"), new("a2", "A"), new("a3", "A")];
        var b = new BatchOwner("b1", "B");
        var work = new List<Task<float[]>>();
        foreach (BatchOwner owner in a.Append(b))
        {
            work.AddRange(Enumerable.Range(0, 4).Select(i => RunAsync(batcher, model, Item(i), owner, Ct)));
        }

        model.Hold.Release(100);
        await Task.WhenAll([.. work, blocker]).WaitAsync(Patience, Ct);

        // The first batch after the blocker holds two of B's items: B gets half, not a quarter.
        IReadOnlyList<BatchOwner> next = batches.ElementAt(1);
        Assert.Equal(2, next.Count(o => o.Tenant == "B"));
    }

    [Fact]
    public async Task A_cancelled_item_leaves_the_queue_before_inference_and_the_others_complete()
    {
        var model = new RecordingModel();
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 8, MaxDelay = TimeSpan.FromMilliseconds(300) });
        using var cancel = new CancellationTokenSource();

        Task<float[]> kept = RunAsync(batcher, model, Item(1), new BatchOwner("kept"), Ct);
        Task<float[]> dropped = RunAsync(batcher, model, Item(2), new BatchOwner("dropped"), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
        Assert.Equal(Item(1), await kept.WaitAsync(Patience, Ct));
        Assert.DoesNotContain(model.Inputs, value => value == Item(2)[0]);
        Assert.Equal(0, batcher.QueuedItems);
    }

    [Fact]
    public async Task A_running_batch_whose_callers_all_cancelled_is_terminated_and_the_next_runs()
    {
        var model = new RecordingModel { BlockUntilCancelled = true };
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 1, MaxDelay = TimeSpan.Zero });
        using var cancel = new CancellationTokenSource();
        Task<float[]> abandoned = RunAsync(batcher, model, Item(1), new BatchOwner("gone"), cancel.Token);
        await model.Started.WaitAsync(Patience, Ct);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        // The gate is free again only if the blocked run was terminated.
        var next = new RecordingModel();
        Assert.Equal(Item(2), await RunAsync(batcher, next, Item(2), new BatchOwner("next"), Ct).WaitAsync(Patience, Ct));
        Assert.True(model.SawCancellation);
    }

    [Fact]
    public async Task Flooding_past_the_bound_is_refused_quickly_and_accepted_work_completes()
    {
        var model = new RecordingModel { Hold = new SemaphoreSlim(0) };
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 2, MaxDelay = TimeSpan.Zero, MaxQueuedItems = 4 });
        Task<float[]> running = RunAsync(batcher, model, Item(0), BatchOwner.Anonymous(), Ct);
        await model.Started.WaitAsync(Patience, Ct);

        var accepted = Enumerable.Range(1, 4).Select(i => RunAsync(batcher, model, Item(i), BatchOwner.Anonymous(), Ct)).ToList();
        var refused = Assert.Throws<QueueFullException>(() => { _ = batcher.RunAsync(model, Item(9), new float[12], 2, 2, BatchOwner.Anonymous(), Ct); });
        Assert.True(refused.RetryAfter > TimeSpan.Zero);

        model.Hold.Release(100);
        await Task.WhenAll([.. accepted, running]).WaitAsync(Patience, Ct);
        Assert.Equal(Item(4), await accepted[3]);
    }

    [Fact]
    public async Task A_batch_that_runs_out_of_memory_is_split_until_it_fits()
    {
        var model = new RecordingModel { MaxBatchThatFits = 1 };
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 4, MaxDelay = TimeSpan.FromHours(1) });
        float[][] results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => RunAsync(batcher, model, Item(i), BatchOwner.Anonymous(), Ct))).WaitAsync(Patience, Ct);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(Item(i), results[i]);
        }

        // One run of 4 failed, two of 2 failed, four of 1 ran.
        Assert.Equal(1 + 2 + 4, model.Batches);
    }

    [Fact]
    public async Task A_failing_run_fails_every_item_of_its_batch()
    {
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 2, MaxDelay = TimeSpan.FromHours(1) });
        var model = new RecordingModel { Fail = true };
        Task<float[]> a = RunAsync(batcher, model, Item(1), BatchOwner.Anonymous(), Ct);
        Task<float[]> b = RunAsync(batcher, model, Item(2), BatchOwner.Anonymous(), Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => a);
        await Assert.ThrowsAsync<InvalidOperationException>(() => b);
    }

    private static async Task<float[]> RunAsync(DynamicBatcher batcher, IUpscaleModel model, float[] input, BatchOwner owner, CancellationToken cancellationToken)
    {
        float[] output = new float[input.Length];
        await batcher.RunAsync(model, input, output, 2, 2, owner, cancellationToken);
        return output;
    }

    private static float[] Item(int i) => Enumerable.Range(0, 12).Select(k => (i * 100f) + k).ToArray();

    /// <summary>Identity ×1 model that records what it ran; it can hold its first run, fail, or run out of memory.</summary>
    private sealed class RecordingModel(int maxBatch = 0, double? maxQueueDelayMs = null) : IUpscaleModel
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _batches;

        public ModelDescriptor Descriptor { get; } = new()
        {
            Name = "recording",
            Task = ModelTaskKind.FaceRestoration,
            FixedSize = 2,
            MaxBatch = maxBatch,
            MaxQueueDelayMs = maxQueueDelayMs,
        };

        public ConcurrentBag<int> BatchSizes { get; } = [];

        public int Scale => 1;

        public string ExecutionProvider => "test";

        public bool Fail { get; init; }

        /// <summary>Each run blocks until its token is cancelled, like a long ONNX Runtime run being terminated.</summary>
        public bool BlockUntilCancelled { get; init; }

        public bool SawCancellation { get; private set; }

        /// <summary>Larger batches throw an out-of-memory error.</summary>
        public int MaxBatchThatFits { get; init; } = int.MaxValue;

        /// <summary>When set, every run waits for a release.</summary>
        public SemaphoreSlim? Hold { get; init; }

        public Task Started => _started.Task;

        public int Batches => Volatile.Read(ref _batches);

        public ConcurrentBag<float> Inputs { get; } = [];

        /// <summary>Each run's input samples, in the order the runs started.</summary>
        public ConcurrentQueue<float[]> RunInputs { get; } = new();

        public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _batches);
            BatchSizes.Add(batch);
            RunInputs.Enqueue(input.Span[..(batch * 3 * height * width)].ToArray());
            _started.TrySetResult();
            Hold?.Wait(cancellationToken);
            if (BlockUntilCancelled)
            {
                SawCancellation = cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (Fail)
            {
                throw new InvalidOperationException("injected failure");
            }

            if (batch > MaxBatchThatFits)
            {
                throw new InsufficientMemoryException($"injected: a batch of {batch} does not fit");
            }

            int length = batch * 3 * height * width;
            foreach (float value in input.Span[..length])
            {
                Inputs.Add(value);
            }

            input.Span[..length].CopyTo(output.Span);
        }
    }
}
