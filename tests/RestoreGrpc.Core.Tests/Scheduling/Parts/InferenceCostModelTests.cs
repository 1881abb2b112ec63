using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests.Scheduling.Parts;

public sealed class InferenceCostModelTests
{
    [Fact]
    public void The_cost_per_pixel_is_weighted_by_pixels_so_tiny_runs_do_not_skew_it()
    {
        var cost = new InferenceCostModel();
        var model = new SchedulingParts.IdentityModel();
        Assert.Null(cost.SecondsPerInputPixel(model));

        // Five one-pixel runs of 20 ms (overhead), then one 10,000-pixel run of 200 ms (20 µs per pixel).
        for (int i = 0; i < 5; i++)
        {
            cost.Record(model, 1, 1, TimeSpan.FromMilliseconds(20));
        }

        cost.Record(model, 1, 10_000, TimeSpan.FromMilliseconds(200));
        Assert.InRange(cost.SecondsPerInputPixel(model)!.Value, 20e-6, 32e-6);
        Assert.Null(cost.SecondsPerInputPixel(new SchedulingParts.IdentityModel()));
    }

    [Fact]
    public void The_cost_per_item_is_a_decayed_average_over_batches()
    {
        var cost = new InferenceCostModel();
        Assert.Equal(0.05, cost.SecondsPerItem, 6);
        cost.Record(new SchedulingParts.IdentityModel(), 4, 4, TimeSpan.FromSeconds(1));
        Assert.Equal((0.8 * 0.05) + (0.2 * 0.25), cost.SecondsPerItem, 6);
    }
}
