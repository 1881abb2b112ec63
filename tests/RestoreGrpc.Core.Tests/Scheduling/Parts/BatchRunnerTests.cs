using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests.Scheduling.Parts;

public sealed class BatchRunnerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_batch_that_runs_out_of_memory_is_halved_in_the_same_slot_and_every_item_answered()
    {
        var model = new FittingModel(maxBatch: 1);
        (BatchRunner runner, List<IReadOnlyList<BatchOwner>> completed, _) = Runner();
        ShapeKey key = SchedulingParts.Key(model);
        List<QueuedItem> batch = [.. Enumerable.Range(1, 4).Select(i => SchedulingParts.Item(BatchOwner.Anonymous(), key, i))];
        using var gate = new InferenceGate(1);
        var slot = new InferenceSlot(await gate.EnterAsync(Ct));

        runner.Run(key, [.. batch], slot);

        Assert.Equal([4, 2, 1, 1, 2, 1, 1], model.Sizes); // each half split before the next runs
        for (int i = 0; i < 4; i++)
        {
            Assert.All(batch[i].Output, value => Assert.Equal(i + 1, value));
            Assert.Equal(1, (await batch[i].Completion.Task).BatchSize);
        }

        Assert.Equal(4, completed.Count);
        Assert.Equal(1, gate.FreeSlots);
    }

    [Fact]
    public async Task A_preempted_batch_goes_back_to_its_queue_and_wakes_the_dispatcher()
    {
        var options = new DynamicBatcherOptions();
        var queue = new BatchQueue(new BatchPolicy(options), new BatchAdmission(10, long.MaxValue));
        (BatchRunner runner, _, List<IReadOnlyList<BatchOwner>> preempted) = Runner(queue, options);
        ShapeKey key = SchedulingParts.Key();
        var bulk = new BatchOwner("bulk", Priority: SchedulingPriority.Batch);
        QueuedItem item = SchedulingParts.Item(bulk, key);

        // Interactive work is waiting when a batch-priority batch is about to start: it yields.
        queue.Enqueue(SchedulingParts.Item(new BatchOwner("urgent"), SchedulingParts.Key(edge: 3)), 0.01);
        using var gate = new InferenceGate(1);
        runner.Run(key, [item], new InferenceSlot(await gate.EnterAsync(Ct)));

        Assert.False(item.IsCompleted);
        Assert.Equal([bulk], Assert.Single(preempted));
        Assert.Equal(2, queue.QueuedItems);
        Assert.Equal(1, gate.FreeSlots);
    }

    private static (BatchRunner Runner, List<IReadOnlyList<BatchOwner>> Completed, List<IReadOnlyList<BatchOwner>> Preempted) Runner(
        BatchQueue? queue = null,
        DynamicBatcherOptions? options = null)
    {
        options ??= new DynamicBatcherOptions();
        var policy = new BatchPolicy(options);
        queue ??= new BatchQueue(policy, new BatchAdmission(10, long.MaxValue));
        var cost = new InferenceCostModel();
        List<IReadOnlyList<BatchOwner>> completed = [], preempted = [];
        return (new BatchRunner(policy, queue, new Preemption(cost), cost, completed.Add, preempted.Add, () => { }), completed, preempted);
    }

    /// <summary>Identity ×1 model that runs out of memory above a batch size, as a model reports it.</summary>
    private sealed class FittingModel(int maxBatch) : IUpscaleModel
    {
        public List<int> Sizes { get; } = [];

        public ModelDescriptor Descriptor { get; } = new() { Name = "fitting", Task = ModelTaskKind.FaceRestoration };

        public int Scale => 1;

        public string ExecutionProvider => "test";

        public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken)
        {
            Sizes.Add(batch);
            if (batch > maxBatch)
            {
                throw new InsufficientMemoryException("does not fit");
            }

            input.Span[..(batch * 3 * height * width)].CopyTo(output.Span);
        }
    }
}
