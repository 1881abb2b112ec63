using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests.Scheduling.Parts;

public sealed class BatchAdmissionTests
{
    [Fact]
    public void Work_beyond_the_item_bound_is_refused_with_a_retry_delay_from_the_cost_per_item()
    {
        var admission = new BatchAdmission(maxItems: 2, maxBytes: long.MaxValue);
        admission.Admit(10, secondsPerItem: 1.5);
        admission.Admit(10, secondsPerItem: 1.5);

        var refused = Assert.Throws<QueueFullException>(() => admission.Admit(10, secondsPerItem: 1.5));
        Assert.Equal(TimeSpan.FromSeconds(3), refused.RetryAfter);
        Assert.Equal((2, 20L), (admission.Items, admission.Bytes));
    }

    [Fact]
    public void Work_beyond_the_byte_bound_is_refused_and_a_freed_place_admits_again()
    {
        var admission = new BatchAdmission(maxItems: 100, maxBytes: 100);
        admission.Admit(60, 0.01);
        Assert.Throws<QueueFullException>(() => admission.Admit(50, 0.01));

        admission.Remove(60);
        admission.Admit(50, 0.01);
        Assert.Equal((1, 50L), (admission.Items, admission.Bytes));
    }

    [Fact]
    public void The_retry_delay_is_at_least_a_tenth_of_a_second()
    {
        var admission = new BatchAdmission(maxItems: 0, maxBytes: 0);
        Assert.Equal(TimeSpan.FromSeconds(0.1), Assert.Throws<QueueFullException>(() => admission.Admit(1, 0)).RetryAfter);
    }

    [Fact]
    public void A_requeued_item_is_counted_back_without_the_bound()
    {
        var admission = new BatchAdmission(maxItems: 1, maxBytes: 10);
        admission.Admit(10, 0.01);
        admission.Add(10);
        Assert.Equal((2, 20L), (admission.Items, admission.Bytes));
    }
}
