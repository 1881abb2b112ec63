using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests.Scheduling.Parts;

public sealed class BatchPolicyTests
{
    [Fact]
    public void A_catalog_entrys_own_batch_size_and_delay_win_over_the_batchers()
    {
        var policy = new BatchPolicy(new DynamicBatcherOptions { MaxBatch = 8, MaxDelay = TimeSpan.FromSeconds(1) });
        var own = new SchedulingParts.IdentityModel(maxBatch: 2, maxQueueDelayMs: 0);
        var plain = new SchedulingParts.IdentityModel();

        Assert.Equal((2, TimeSpan.Zero), (policy.MaxBatchFor(own), policy.MaxDelayFor(own)));
        Assert.Equal((8, TimeSpan.FromSeconds(1)), (policy.MaxBatchFor(plain), policy.MaxDelayFor(plain)));
    }
}
