using OpenTelemetry.Metrics;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// Explicit bucket boundaries (views) for every histogram the server records. OpenTelemetry's default boundaries
/// (0, 5, 10, 25 … 10000) are meant for milliseconds: a seconds histogram would put everything under 5 s in one
/// bucket, and a 0..1 ratio in one bucket, and p50/p95/p99 would mean nothing.
/// </summary>
internal static class HistogramBuckets
{
    /// <summary>Model runs and queue waits: from half a millisecond (a tiny tile on a GPU) to a minute (a large
    /// RRDBNet tile on a CPU); resolves 10 ms and 10 s.</summary>
    public static readonly double[] StageSeconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>Whole calls: a cached ListModels (a millisecond) to a streamed gigapixel image (many minutes).</summary>
    public static readonly double[] CallSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

    /// <summary>Fraction of a batch's capacity used (0..1).</summary>
    public static readonly double[] Ratio = [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1];

    /// <summary>Items per model run.</summary>
    public static readonly double[] Items = [1, 2, 4, 8, 16, 32, 64, 128];

    public static MeterProviderBuilder AddHistogramBuckets(this MeterProviderBuilder metrics) => metrics
        .AddView("rpc.server.call.duration", Boundaries(CallSeconds))
        .AddView("restoregrpc.queue.wait.duration", Boundaries(StageSeconds))
        .AddView("restoregrpc.inference.duration", Boundaries(StageSeconds))
        .AddView("restoregrpc.batch.fill", Boundaries(Ratio))
        .AddView("restoregrpc.batch.size", Boundaries(Items));

    private static ExplicitBucketHistogramConfiguration Boundaries(double[] boundaries) => new() { Boundaries = boundaries };
}
