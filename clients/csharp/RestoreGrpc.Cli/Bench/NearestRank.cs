namespace RestoreGrpc.Cli.Bench;

/// <summary>
/// The one nearest-rank percentile of the repository, for <c>restore bench</c> (<c>LatencyStats</c>) and the
/// benchmarks (which compile this file in): the q-quantile of n ascending values is the value at rank ⌈q·n⌉
/// (1-based), always a measured value.
/// </summary>
internal static class NearestRank
{
    /// <summary>Zero-based index of the <paramref name="fraction"/>-quantile (in (0, 1]) of <paramref name="count"/>
    /// ascending values.</summary>
    public static int Index(int count, double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(fraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        int rank = (int)Math.Ceiling(fraction * count);
        return Math.Clamp(rank, 1, count) - 1;
    }
}
