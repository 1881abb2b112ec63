using RestoreGrpc.Cli.Bench;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// The benchmarks' percentiles and medians. Percentiles are the CLI's nearest-rank implementation
/// (<see cref="NearestRank"/>, the same file compiled in, so <c>restore bench</c> and the benchmarks cannot differ): the
/// P-th percentile of n sorted values is the value at rank ⌈P·n⌉ (1-based), always a measured value. The median is the middle value, or the mean of the two middle values for an even count.
/// </summary>
internal static class Percentiles
{
    /// <summary>Zero-based index of the nearest-rank <paramref name="p"/>-quantile (p in (0, 1]) of <paramref name="count"/> sorted values.</summary>
    public static int RankIndex(int count, double p) => NearestRank.Index(count, p);

    /// <summary>Nearest-rank <paramref name="p"/>-quantile of ascending <paramref name="sorted"/>; NaN when empty.</summary>
    public static double Of(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[RankIndex(sorted.Count, p)];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
