using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests.Scheduling.Parts;

public sealed class ShapeQueueTests
{
    [Fact]
    public void Interactive_items_are_dealt_before_batch_items()
    {
        var queue = new ShapeQueue();
        var bulk = new BatchOwner("bulk", Priority: SchedulingPriority.Batch);
        var urgent = new BatchOwner("urgent");
        queue.Add(SchedulingParts.Item(bulk));
        queue.Add(SchedulingParts.Item(bulk));
        queue.Add(SchedulingParts.Item(urgent));

        Assert.True(queue.HasInteractive);
        Assert.Equal([urgent, bulk], queue.Take(2).Select(i => i.Owner));
        Assert.False(queue.HasInteractive);
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Tenants_take_turns_then_requests_within_a_tenant()
    {
        var queue = new ShapeQueue();
        BatchOwner a1 = new("a1", "A"), a2 = new("a2", "A"), b1 = new("b1", "B");
        foreach (BatchOwner owner in new[] { a1, a1, a1, a2, a2, b1, b1 })
        {
            queue.Add(SchedulingParts.Item(owner));
        }

        // A's two requests share A's turns; B gets every other item.
        Assert.Equal([a1, b1, a2, b1, a1, a2, a1], queue.Take(7).Select(i => i.Owner));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void A_newcomer_waits_at_most_one_turn_of_each_request_already_waiting()
    {
        var queue = new ShapeQueue();
        BatchOwner big = new("big"), other = new("other"), late = new("late");
        for (int i = 0; i < 4; i++)
        {
            queue.Add(SchedulingParts.Item(big));
            queue.Add(SchedulingParts.Item(other));
        }

        Assert.Equal([big, other], queue.Take(2).Select(i => i.Owner));
        queue.Add(SchedulingParts.Item(late));
        Assert.Equal([big, other, late, big], queue.Take(4).Select(i => i.Owner));
    }

    [Fact]
    public void A_put_back_item_is_first_in_turn_and_at_the_head_of_its_line_and_a_removed_one_is_gone()
    {
        var queue = new ShapeQueue();
        BatchOwner first = new("first"), second = new("second"), preemptedOwner = new("preempted");
        QueuedItem removed = SchedulingParts.Item(first);
        queue.Add(SchedulingParts.Item(first));
        queue.Add(removed);
        QueuedItem secondsFirst = SchedulingParts.Item(second);
        queue.Add(secondsFirst);
        QueuedItem preempted = SchedulingParts.Item(preemptedOwner);
        QueuedItem putBack = SchedulingParts.Item(second);
        queue.AddFirst(preempted);
        queue.AddFirst(putBack);

        Assert.True(queue.Remove(removed));
        Assert.False(queue.Remove(removed));
        List<QueuedItem> dealt = queue.Take(5);
        Assert.Same(preempted, dealt[0]);
        Assert.True(dealt.IndexOf(putBack) < dealt.IndexOf(secondsFirst));
        Assert.DoesNotContain(removed, dealt);
        Assert.Equal(4, dealt.Count);
        Assert.Equal(long.MaxValue, queue.OldestTimestamp);
    }
}
