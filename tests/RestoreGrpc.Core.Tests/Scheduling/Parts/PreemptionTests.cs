using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests.Scheduling.Parts;

public sealed class PreemptionTests
{
    [Fact]
    public void The_victim_is_the_batch_priority_run_with_the_most_work_left_beyond_the_newcomers()
    {
        var cost = new InferenceCostModel();
        var model = new SchedulingParts.IdentityModel();
        cost.Record(model, 1, 1000, TimeSpan.FromSeconds(1)); // 1 ms per pixel
        var preemption = new Preemption(cost);
        var bulk = new BatchOwner("bulk", Priority: SchedulingPriority.Batch);
        using RunningBatch small = Running(bulk, model, pixels: 2_000);
        using RunningBatch large = Running(bulk, model, pixels: 50_000);
        using RunningBatch interactive = Running(new BatchOwner("urgent"), model, pixels: 500_000);
        preemption.Started(small);
        preemption.Started(large);
        preemption.Started(interactive);

        Assert.Same(large, preemption.VictimFor(newcomerSeconds: 1));
        Assert.Null(preemption.VictimFor(newcomerSeconds: 100));

        preemption.Ended(large);
        Assert.Same(small, preemption.VictimFor(newcomerSeconds: 0.5));
    }

    [Fact]
    public void Preempting_stops_the_run_once_and_says_so()
    {
        using RunningBatch running = Running(BatchOwner.Anonymous(), new SchedulingParts.IdentityModel(), 4);
        Assert.False(running.Preempted);
        running.Preempt();
        running.Preempt();
        Assert.True(running.Preempted);
        Assert.True(running.Abandoned.IsCancellationRequested);
    }

    [Fact]
    public void A_run_is_abandoned_only_when_every_caller_has_cancelled()
    {
        QueuedItem a = SchedulingParts.Item(BatchOwner.Anonymous()), b = SchedulingParts.Item(BatchOwner.Anonymous());
        using var running = new RunningBatch([a, b], a.Key.Model, 8);
        a.Completion.TrySetCanceled(TestContext.Current.CancellationToken);
        running.CancelIfAbandoned();
        Assert.False(running.Abandoned.IsCancellationRequested);

        b.Completion.TrySetCanceled(TestContext.Current.CancellationToken);
        running.CancelIfAbandoned();
        Assert.True(running.Abandoned.IsCancellationRequested);
        Assert.False(running.Preempted);
    }

    private static RunningBatch Running(BatchOwner owner, SchedulingParts.IdentityModel model, double pixels) =>
        new([SchedulingParts.Item(owner, SchedulingParts.Key(model))], model, pixels);
}
