namespace RestoreGrpc.Cli.Bench;

/// <summary>
/// Summary of request latencies in milliseconds. Percentiles use the nearest-rank method on the sorted
/// sample (<see cref="NearestRank"/>): the P-th percentile is the value at rank ⌈P/100 × n⌉ (1-based). All zero for
/// an empty sample.
/// </summary>
internal sealed record LatencyStats(int Count, double Min, double Max, double Mean, double P50, double P95, double P99)
{
    public static LatencyStats Empty { get; } = new(0, 0, 0, 0, 0, 0, 0);

    public static LatencyStats Compute(IEnumerable<double> latenciesMs)
    {
        ArgumentNullException.ThrowIfNull(latenciesMs);
        double[] sorted = latenciesMs.ToArray();
        if (sorted.Length == 0)
        {
            return Empty;
        }

        Array.Sort(sorted);
        return new LatencyStats(
            sorted.Length,
            sorted[0],
            sorted[^1],
            sorted.Average(),
            Percentile(sorted, 50),
            Percentile(sorted, 95),
            Percentile(sorted, 99));
    }

    /// <summary>Nearest-rank percentile of an ascending, non-empty sample; <paramref name="percent"/> in (0, 100].</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            throw new ArgumentException("The sample is empty.", nameof(sorted));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        return sorted[NearestRank.Index(sorted.Count, percent / 100.0)];
    }
}
