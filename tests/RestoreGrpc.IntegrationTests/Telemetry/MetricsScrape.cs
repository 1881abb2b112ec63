namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>Series names in a Prometheus text exposition (histograms appear as <c>_bucket</c>, <c>_sum</c>, <c>_count</c>).</summary>
internal static class MetricsScrape
{
    public static IReadOnlySet<string> SeriesNames(string exposition) =>
        exposition.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.IndexOfAny(['{', ' '])])
            .ToHashSet(StringComparer.Ordinal);
}
