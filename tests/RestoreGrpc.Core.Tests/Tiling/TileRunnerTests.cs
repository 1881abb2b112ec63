using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Tiling;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Tests.Tiling;

public sealed class TileRunnerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TilePlan Plan => TilePlan.Create(64, 64, new TilePlanOptions(16, 0, 1));

    [Fact]
    public async Task A_request_has_at_most_its_tiles_in_flight_in_the_batcher_and_gives_every_tensor_back()
    {
        var model = new HeldModel();
        using var gate = new InferenceGate(1);
        using var batcher = new DynamicBatcher(gate, new DynamicBatcherOptions { MaxBatch = 1, MaxDelay = TimeSpan.Zero, TilesInFlightPerRequest = 2 });
        long bytes = 0;
        using var runner = new TileRunner(batcher, model, Plan, BatchOwner.Anonymous(), new StageClock(), b => Interlocked.Add(ref bytes, b));

        Task<float[]>[] tiles = [.. Enumerable.Range(0, 3).Select(i => Filled(runner, i))];
        await model.Started.WaitAsync(Patience, Ct);

        // One tile runs, one queues; the third waits in the request's window, not in the shared queue.
        Assert.Equal(2, runner.Running);
        Assert.Equal(1, batcher.QueuedItems);
        model.Release.Release(10);
        float[][] outputs = await Task.WhenAll(tiles).WaitAsync(Patience, Ct);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(i, outputs[i][0]);
            runner.Return(outputs[i]);
        }

        Assert.Equal(0, Interlocked.Read(ref bytes));
    }

    [Fact]
    public async Task A_tile_cancelled_in_the_batcher_keeps_its_tensors_out_of_the_pool_and_accounts_for_them()
    {
        var model = new HeldModel();
        using var gate = new InferenceGate(1);
        using var batcher = new DynamicBatcher(gate, new DynamicBatcherOptions { MaxBatch = 1, MaxDelay = TimeSpan.Zero });
        long bytes = 0;
        using var runner = new TileRunner(batcher, model, Plan, BatchOwner.Anonymous(), new StageClock(), b => Interlocked.Add(ref bytes, b));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        float[] input = runner.RentInput();
        Task<float[]> tile = runner.InferAsync(input, cancel.Token);
        await model.Started.WaitAsync(Patience, Ct);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tile).WaitAsync(Patience, Ct);
        Assert.Equal(0, Interlocked.Read(ref bytes));
        Assert.Equal(0, runner.Running);
        await model.SawCancellation.Task.WaitAsync(Patience, Ct);
    }

    private static Task<float[]> Filled(TileRunner runner, float value)
    {
        float[] input = runner.RentInput();
        input.AsSpan(0, runner.InputLength).Fill(value);
        return runner.InferAsync(input, Ct);
    }

    /// <summary>Identity ×1 model whose runs wait for a release (or their cancellation).</summary>
    private sealed class HeldModel : IUpscaleModel
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SemaphoreSlim Release { get; } = new(0);

        public Task Started => _started.Task;

        public TaskCompletionSource SawCancellation { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ModelDescriptor Descriptor { get; } = new() { Name = "held", Task = ModelTaskKind.SuperResolution };

        public int Scale => 1;

        public string ExecutionProvider => "test";

        public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken)
        {
            _started.TrySetResult();
            try
            {
                Release.Wait(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                SawCancellation.TrySetResult();
                throw;
            }

            input.Span[..(batch * 3 * height * width)].CopyTo(output.Span);
        }
    }
}
