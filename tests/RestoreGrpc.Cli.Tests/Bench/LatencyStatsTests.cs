using RestoreGrpc.Cli.Bench;

namespace RestoreGrpc.Cli.Tests.Bench;

public sealed class LatencyStatsTests
{
    [Fact]
    public void Empty_sample_is_all_zero() => Assert.Equal(LatencyStats.Empty, LatencyStats.Compute([]));

    [Fact]
    public void Single_value_is_every_statistic()
    {
        var stats = LatencyStats.Compute([42]);

        Assert.Equal(new LatencyStats(1, 42, 42, 42, 42, 42, 42), stats);
    }

    [Fact]
    public void One_to_hundred_gives_the_rank_itself()
    {
        // Shuffled input: the stats sort it.
        double[] values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToArray();

        var stats = LatencyStats.Compute(values);

        Assert.Equal(new LatencyStats(100, 1, 100, 50.5, 50, 95, 99), stats);
    }

    [Theory]
    [InlineData(50, 30)] // rank ceil(0.5*5)=3
    [InlineData(95, 50)] // rank ceil(4.75)=5
    [InlineData(20, 10)] // rank exactly 1
    [InlineData(21, 20)] // rank ceil(1.05)=2
    [InlineData(100, 50)]
    [InlineData(0.001, 10)]
    public void Nearest_rank_on_five_values(double percent, double expected) =>
        Assert.Equal(expected, LatencyStats.Percentile([10, 20, 30, 40, 50], percent));

    [Fact]
    public void Ten_values_p90_is_the_ninth()
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        Assert.Equal(9, LatencyStats.Percentile(sorted, 90));
        Assert.Equal(10, LatencyStats.Percentile(sorted, 90.1));
        Assert.Equal(5, LatencyStats.Percentile(sorted, 50));
    }

    [Fact]
    public void Percentile_rejects_bad_input()
    {
        Assert.Throws<ArgumentException>(() => LatencyStats.Percentile([], 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyStats.Percentile([1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyStats.Percentile([1], 100.5));
    }
}
