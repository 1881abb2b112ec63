using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests.Scheduling.Parts;

public sealed class BatchQueueTests
{
    private static BatchQueue Queue(DynamicBatcherOptions options) =>
        new(new BatchPolicy(options), new BatchAdmission(options.MaxQueuedItems, options.MaxQueuedBytes));

    [Fact]
    public void A_shape_is_ready_when_full_or_past_its_delay_and_says_how_long_to_wait_otherwise()
    {
        BatchQueue queue = Queue(new DynamicBatcherOptions { MaxBatch = 2, MaxDelay = TimeSpan.FromHours(1) });
        ShapeKey key = SchedulingParts.Key();
        queue.Enqueue(SchedulingParts.Item(BatchOwner.Anonymous(), key), 0.01);

        Assert.Null(queue.ReadyShape(out TimeSpan wait));
        Assert.InRange(wait, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));

        queue.Enqueue(SchedulingParts.Item(BatchOwner.Anonymous(), key), 0.01);
        Assert.Equal(key, queue.ReadyShape(out _));
    }

    [Fact]
    public void Shapes_holding_interactive_work_are_ready_first()
    {
        BatchQueue queue = Queue(new DynamicBatcherOptions { MaxBatch = 1, MaxDelay = TimeSpan.Zero });
        ShapeKey bulk = SchedulingParts.Key(edge: 2), urgent = SchedulingParts.Key(edge: 3);
        queue.Enqueue(SchedulingParts.Item(new BatchOwner("bulk", Priority: SchedulingPriority.Batch), bulk), 0.01);
        queue.Enqueue(SchedulingParts.Item(new BatchOwner("urgent"), urgent), 0.01);

        Assert.Equal(urgent, queue.ReadyShape(out _));
        Assert.True(queue.HasInteractive);
    }

    [Fact]
    public void Taking_withdrawing_and_requeueing_keep_the_counts_and_forget_empty_shapes()
    {
        BatchQueue queue = Queue(new DynamicBatcherOptions { MaxBatch = 4, MaxQueuedItems = 3 });
        ShapeKey key = SchedulingParts.Key();
        QueuedItem[] items = [.. Enumerable.Range(0, 3).Select(i => SchedulingParts.Item(BatchOwner.Anonymous(), key, i))];
        foreach (QueuedItem item in items)
        {
            queue.Enqueue(item, 0.01);
        }

        Assert.Throws<QueueFullException>(() => queue.Enqueue(SchedulingParts.Item(BatchOwner.Anonymous(), key), 0.01));
        Assert.Null(queue.Withdraw(items[2]));
        List<QueuedItem> batch = queue.Take(key, 4);
        Assert.Equal((0, 0), (queue.QueuedItems, queue.QueuedShapes));

        using var running = new RunningBatch(batch, key.Model, 8);
        queue.MarkRunning(batch, running);
        Assert.Same(running, queue.Withdraw(items[0]));

        items[1].Completion.TrySetCanceled(TestContext.Current.CancellationToken);
        queue.Requeue(key, batch);
        Assert.Equal((1, 1), (queue.QueuedItems, queue.QueuedShapes));
        Assert.Same(items[0], Assert.Single(queue.Take(key, 4)));
        Assert.Empty(queue.Take(key, 4));
    }
}
