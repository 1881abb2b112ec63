using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Memory;

namespace RestoreGrpc.Core.Tests.Memory;

public sealed class MemoryBudgetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static MemoryBudget Budget(long capacity, TimeSpan? maxWait = null) =>
        new(capacity, maxWait ?? Patience, TimeSpan.FromMilliseconds(700));

    [Fact]
    public async Task Reservations_within_the_capacity_are_granted_at_once_and_released_whole()
    {
        MemoryBudget budget = Budget(100);
        using MemoryReservation first = budget.Admit(10);
        await first.GrowAsync(30, Ct);
        MemoryReservation second = await budget.ReserveAsync(60, Ct);

        Assert.Equal((40, 60, 100), (first.Bytes, second.Bytes, budget.InFlightBytes));
        second.Dispose();
        second.Dispose();
        Assert.Equal(40, budget.InFlightBytes);
        Assert.Equal(100, budget.PeakBytes);
        first.Dispose();
        Assert.Equal(0, budget.InFlightBytes);
    }

    [Fact]
    public async Task A_reservation_that_does_not_fit_waits_until_memory_is_released()
    {
        MemoryBudget budget = Budget(100);
        MemoryReservation running = await budget.ReserveAsync(80, Ct);
        using MemoryReservation waiting = budget.Admit(5);

        ValueTask grow = waiting.GrowAsync(50, Ct);
        Assert.False(grow.IsCompleted);
        Assert.Equal(1, budget.Waiting);
        Assert.Equal(85, budget.InFlightBytes);

        running.Dispose();
        await grow.AsTask().WaitAsync(Patience, Ct);
        Assert.Equal((55, 55L), (waiting.Bytes, budget.InFlightBytes));
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public async Task Waiters_are_served_in_arrival_order_so_small_requests_cannot_starve_a_large_one()
    {
        MemoryBudget budget = Budget(100);
        MemoryReservation running = await budget.ReserveAsync(60, Ct);
        ValueTask<MemoryReservation> large = budget.ReserveAsync(90, Ct);
        ValueTask<MemoryReservation> small = budget.ReserveAsync(10, Ct);

        // 10 bytes would fit beside the running 60, but the large request came first.
        Assert.False(small.IsCompleted);
        running.Dispose();
        using MemoryReservation granted = await large.AsTask().WaitAsync(Patience, Ct);
        using MemoryReservation after = await small.AsTask().WaitAsync(Patience, Ct);
        Assert.Equal(100, budget.InFlightBytes);
    }

    [Fact]
    public async Task A_request_larger_than_the_budget_runs_alone()
    {
        MemoryBudget budget = Budget(100);
        MemoryReservation running = await budget.ReserveAsync(30, Ct);
        ValueTask<MemoryReservation> huge = budget.ReserveAsync(250, Ct);
        Assert.False(huge.IsCompleted);

        running.Dispose();
        using MemoryReservation alone = await huge.AsTask().WaitAsync(Patience, Ct);
        Assert.Equal(250, budget.InFlightBytes);
        Assert.Throws<QueueFullException>(() => budget.Admit(1));
    }

    [Fact]
    public async Task No_room_within_the_wait_is_refused_with_a_retry_delay_and_holds_nothing_more()
    {
        MemoryBudget budget = Budget(100, maxWait: TimeSpan.FromMilliseconds(50));
        using MemoryReservation running = await budget.ReserveAsync(90, Ct);
        using MemoryReservation message = budget.Admit(5);

        QueueFullException refused = await Assert.ThrowsAsync<QueueFullException>(async () => await message.GrowAsync(50, Ct));
        Assert.Equal(TimeSpan.FromMilliseconds(700), refused.RetryAfter);
        Assert.Equal((5, 95L, 0), (message.Bytes, budget.InFlightBytes, budget.Waiting));
    }

    [Fact]
    public async Task A_message_that_does_not_fit_is_refused_at_receipt_without_waiting()
    {
        MemoryBudget budget = Budget(100);
        using MemoryReservation running = await budget.ReserveAsync(99, Ct);
        Assert.Throws<QueueFullException>(() => budget.Admit(2));
        Assert.Equal(99, budget.InFlightBytes);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_the_next_one_is_served()
    {
        MemoryBudget budget = Budget(100);
        MemoryReservation running = await budget.ReserveAsync(50, Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        ValueTask<MemoryReservation> cancelled = budget.ReserveAsync(100, cancel.Token);
        ValueTask<MemoryReservation> next = budget.ReserveAsync(40, Ct);
        Assert.False(next.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
        using MemoryReservation served = await next.AsTask().WaitAsync(Patience, Ct);
        Assert.Equal(90, budget.InFlightBytes);
        running.Dispose();
        Assert.Equal(40, budget.InFlightBytes);
    }

    [Fact]
    public async Task Concurrent_reservations_never_exceed_the_capacity_and_all_return()
    {
        MemoryBudget budget = Budget(1000);
        long over = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(
            async () =>
            {
                for (int k = 0; k < 20; k++)
                {
                    // Admit refuses at once when the budget is full (as for a received message); these wait their turn.
                    using MemoryReservation reservation = await budget.ReserveAsync(1, Ct);
                    await reservation.GrowAsync(100 + (i * 7 % 300), Ct);
                    if (budget.InFlightBytes > budget.CapacityBytes)
                    {
                        Interlocked.Increment(ref over);
                    }

                    await Task.Yield();
                }
            },
            Ct))).WaitAsync(Patience, Ct);

        Assert.Equal(0, Interlocked.Read(ref over));
        Assert.InRange(budget.PeakBytes, 1, 1000);
        Assert.Equal(0, budget.InFlightBytes);
        Assert.Equal(64 * 20, budget.Admissions);
        Assert.True(budget.IdleFor >= TimeSpan.Zero);
    }

    [Theory]
    [InlineData(24L << 30, 2, 512L << 20)] // this 2-core VM: the per-core bound
    [InlineData(128L << 30, 16, 4L << 30)] // a 16-core GPU host
    [InlineData(1L << 30, 16, 256L << 20)] // a 1 GiB container: a quarter of it
    [InlineData(512L << 20, 1, 256L << 20)] // never below 256 MiB
    public void The_default_capacity_follows_the_machine(long available, int cores, long expected) =>
        Assert.Equal(expected, MemoryBudget.DefaultCapacity(available, cores));
}
