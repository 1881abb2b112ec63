using System.Collections.Concurrent;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests.Scheduling;

public sealed class DynamicBatcherTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Items_from_concurrent_requests_share_batches_and_each_gets_its_own_result()
    {
        var model = new RecordingModel();
        var batcher = new DynamicBatcher(new InferenceGate(1), maxBatch: 4, maxDelay: TimeSpan.FromMilliseconds(200));
        var batches = new ConcurrentQueue<IReadOnlyList<object?>>();
        batcher.BatchCompleted += tags => batches.Enqueue(tags);

        // Three requests of three items each; every item's input is unique.
        Task<float[]>[] runs = Enumerable.Range(0, 9)
            .Select(i => RunAsync(batcher, model, Item(i), 2, 2, $"request-{i % 3}", Ct))
            .ToArray();
        float[][] results = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(Item(i), results[i]);
        }

        Assert.Equal(9, batches.Sum(b => b.Count));
        Assert.All(batches, b => Assert.InRange(b.Count, 1, 4));
        Assert.Contains(batches, b => b.Distinct().Count() > 1);
        Assert.Equal(model.Batches, batches.Select(b => b.Count).Order().ToArray().Length);
    }

    [Fact]
    public async Task A_full_batch_runs_without_waiting_for_the_delay()
    {
        var model = new RecordingModel();
        var batcher = new DynamicBatcher(new InferenceGate(1), maxBatch: 2, maxDelay: Timeout.InfiniteTimeSpan);
        float[][] results = await Task.WhenAll(
            RunAsync(batcher, model, Item(1), 2, 2, null, Ct),
            RunAsync(batcher, model, Item(2), 2, 2, null, Ct)).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(Item(2), results[1]);
        Assert.Equal(1, model.Batches);
    }

    [Fact]
    public async Task A_cancelled_item_leaves_the_queue_before_inference_and_the_others_complete()
    {
        var model = new RecordingModel();
        var gate = new InferenceGate(1);
        var batcher = new DynamicBatcher(gate, maxBatch: 8, maxDelay: TimeSpan.FromMilliseconds(100));
        using var cancel = new CancellationTokenSource();

        Task<float[]> kept = RunAsync(batcher, model, Item(1), 2, 2, "kept", Ct);
        Task<float[]> dropped = RunAsync(batcher, model, Item(2), 2, 2, "dropped", cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
        Assert.Equal(Item(1), await kept.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.DoesNotContain(model.Inputs, value => value == Item(2)[0]);
    }

    [Fact]
    public async Task A_failing_run_fails_every_item_of_its_batch()
    {
        var batcher = new DynamicBatcher(new InferenceGate(1), maxBatch: 2, maxDelay: TimeSpan.FromSeconds(30));
        var model = new RecordingModel { Fail = true };
        Task<float[]> a = RunAsync(batcher, model, Item(1), 2, 2, null, Ct);
        Task<float[]> b = RunAsync(batcher, model, Item(2), 2, 2, null, Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => a);
        await Assert.ThrowsAsync<InvalidOperationException>(() => b);
    }

    private static async Task<float[]> RunAsync(DynamicBatcher batcher, IUpscaleModel model, float[] input, int height, int width, object? tag, CancellationToken cancellationToken)
    {
        float[] output = new float[input.Length];
        await batcher.RunAsync(model, input, output, height, width, tag, cancellationToken);
        return output;
    }

    private static float[] Item(int i) => Enumerable.Range(0, 12).Select(k => (i * 100f) + k).ToArray();

    /// <summary>Identity ×1 model that records what it ran.</summary>
    private sealed class RecordingModel : IUpscaleModel
    {
        private int _batches;

        public ModelDescriptor Descriptor { get; } = new() { Name = "recording", Task = ModelTaskKind.FaceRestoration, FixedSize = 2 };

        public int Scale => 1;

        public string ExecutionProvider => "test";

        public bool Fail { get; init; }

        public int Batches => Volatile.Read(ref _batches);

        public ConcurrentBag<float> Inputs { get; } = [];

        public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _batches);
            if (Fail)
            {
                throw new InvalidOperationException("injected failure");
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
