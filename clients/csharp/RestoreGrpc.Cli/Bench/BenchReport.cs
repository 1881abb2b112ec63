using System.Text.Json;
using RestoreGrpc.Cli.Presets;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Bench;

/// <summary>The numbers a benchmark prints, as written to its JSON file (camelCase).</summary>
internal sealed record BenchReport
{
    public required DateTimeOffset Timestamp { get; init; }

    public required string Server { get; init; }

    public required string Image { get; init; }

    public required int InputWidth { get; init; }

    public required int InputHeight { get; init; }

    public required RestoreOptions Options { get; init; }

    public required int Concurrency { get; init; }

    public required int Requests { get; init; }

    public required int Warmup { get; init; }

    public required int Succeeded { get; init; }

    public required int Failed { get; init; }

    public required double WallSeconds { get; init; }

    public required double ImagesPerSecond { get; init; }

    public required double MegapixelsPerSecond { get; init; }

    public required LatencyStats LatencyMs { get; init; }

    /// <summary>Failure descriptions and how often each occurred.</summary>
    public required IReadOnlyDictionary<string, int> Errors { get; init; }

    public static BenchReport Create(
        BenchOutcome outcome,
        BenchPlan plan,
        string server,
        string image,
        RestoreOptions options,
        DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(plan);
        return new BenchReport
        {
            Timestamp = timestamp,
            Server = server,
            Image = image,
            InputWidth = outcome.InputSize.Width,
            InputHeight = outcome.InputSize.Height,
            Options = options,
            Concurrency = plan.Concurrency,
            Requests = plan.Requests,
            Warmup = plan.Warmup,
            Succeeded = outcome.Succeeded,
            Failed = outcome.Failed,
            WallSeconds = outcome.Elapsed.TotalSeconds,
            ImagesPerSecond = outcome.ImagesPerSecond,
            MegapixelsPerSecond = outcome.MegapixelsPerSecond,
            LatencyMs = outcome.Latency,
            Errors = outcome.Errors,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, PresetFile.JsonOptions);

    /// <summary>Default file name: <c>bench-yyyyMMdd-HHmmss.json</c>.</summary>
    public static string DefaultFileName(DateTime localTime) =>
        $"bench-{localTime.ToString(Files.OutputNamer.TimestampFormat, System.Globalization.CultureInfo.InvariantCulture)}.json";
}
