using System.Threading.RateLimiting;
using RestoreGrpc.Server.Quotas;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>Equal shares of the unary capacity among the tenants active at once (Restore:Quotas:FairShareConcurrentUnary).</summary>
public sealed class TenantFairShareTests
{
    [Fact]
    public void A_tenant_alone_is_not_held_to_a_share()
    {
        var share = new TenantFairShare(capacity: 2);
        var held = Enumerable.Range(0, 10).Select(_ => share.TryEnter("alone", out _)).ToList();
        Assert.All(held, lease => Assert.True(lease.IsAcquired));
        held.ForEach(lease => lease.Dispose());
    }

    [Fact]
    public void Once_another_tenant_is_active_each_gets_capacity_over_active_tenants()
    {
        var share = new TenantFairShare(capacity: 4);
        var flood = Enumerable.Range(0, 4).Select(_ => share.TryEnter("flood", out _)).ToList();
        Assert.All(flood, lease => Assert.True(lease.IsAcquired));

        // The quiet tenant arrives: two active, a share of two each. It is admitted (it runs none); the flood, above
        // its share with four running, is refused new calls (the running ones go on) until it is back under two.
        using RateLimitLease quiet = share.TryEnter("quiet", out int quietShare);
        Assert.True(quiet.IsAcquired);
        Assert.Equal(2, quietShare);
        using (RateLimitLease refused = share.TryEnter("flood", out int floodShare))
        {
            Assert.False(refused.IsAcquired);
            Assert.Equal(2, floodShare);
        }

        flood[0].Dispose();
        flood[1].Dispose();
        Assert.False(share.TryEnter("flood", out _).IsAcquired); // two running: at its share
        flood[2].Dispose();
        using RateLimitLease again = share.TryEnter("flood", out _);
        Assert.True(again.IsAcquired);
        flood[3].Dispose();
    }

    [Fact]
    public void A_share_is_never_below_one_call()
    {
        var share = new TenantFairShare(capacity: 2);
        using RateLimitLease a = share.TryEnter("a", out _);
        using RateLimitLease b = share.TryEnter("b", out _);
        using RateLimitLease c = share.TryEnter("c", out int third);
        Assert.True(c.IsAcquired);
        Assert.Equal(1, third);
        Assert.False(share.TryEnter("a", out _).IsAcquired);
    }

    [Fact]
    public void A_tenant_between_calls_stays_active_for_the_window_then_is_forgotten()
    {
        var share = new TenantFairShare(capacity: 2);
        share.TryEnter("quiet", out _).Dispose(); // one call done: still active for the window
        using RateLimitLease first = share.TryEnter("flood", out int during);
        Assert.Equal(1, during);
        Assert.False(share.TryEnter("flood", out _).IsAcquired);

        Thread.Sleep(TenantFairShare.RecentWindow + TimeSpan.FromMilliseconds(200));
        using RateLimitLease second = share.TryEnter("flood", out int after);
        Assert.True(second.IsAcquired);
        Assert.Equal(int.MaxValue, after);
        Assert.Equal(1, share.TrackedTenants);
    }

    [Fact]
    public void Many_self_declared_names_are_not_remembered_past_the_window()
    {
        var share = new TenantFairShare(capacity: 2);
        for (int i = 0; i < 1000; i++)
        {
            share.TryEnter($"tenant-{i}", out _).Dispose();
        }

        Assert.True(share.TrackedTenants > 1, "the names just seen are remembered for the window");
        Thread.Sleep(TenantFairShare.RecentWindow + TimeSpan.FromMilliseconds(200));
        share.TryEnter("next", out _).Dispose();
        Assert.Equal(1, share.TrackedTenants);
    }

    [Fact]
    public void A_lease_released_twice_counts_once()
    {
        var share = new TenantFairShare(capacity: 2);
        RateLimitLease quiet = share.TryEnter("quiet", out _);
        RateLimitLease flood = share.TryEnter("flood", out _);
        flood.Dispose();
        flood.Dispose();
        using RateLimitLease again = share.TryEnter("flood", out _);
        Assert.True(again.IsAcquired);
        Assert.False(share.TryEnter("flood", out _).IsAcquired); // one running: its share, not two
        quiet.Dispose();
    }
}
