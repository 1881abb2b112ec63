using System.Globalization;
using System.Text;

namespace RestoreGrpc.Benchmarks;

/// <summary>Raw ONNX Runtime on one prepared tile tensor, back to back.</summary>
internal sealed record RawResult(int Batch, string IoBinding, string Provider, double MegapixelsPerSecond, double MillisecondsPerBatch, double? GpuUtilization);

/// <summary>One concurrency level of the server sweep.</summary>
internal sealed record LevelResult(
    string Config,
    int Clients,
    int Completed,
    int Failed,
    double Seconds,
    double ImagesPerSecond,
    double InputMegapixelsPerSecond,
    double P50Ms,
    double P99Ms,
    double MeanBatch,
    double? GpuUtilization,
    double? GpuMemoryMiB,
    double[] ServerStageMeansMs);

/// <summary>Latency of small interactive requests, idle and while a large job of the given priority runs.</summary>
internal sealed record ContentionResult(
    int BigEdge,
    string BigPriority,
    double IdleP50Ms,
    double IdleP99Ms,
    double LoadedP50Ms,
    double LoadedP99Ms,
    double LoadedMaxMs,
    int Requests,
    string BigJobState);

/// <summary>Everything one sweep measured.</summary>
internal sealed class SweepReport(string machine, int cores, SweepSettings settings, List<RawResult> raw, List<LevelResult> levels, List<ContentionResult> contention)
{
    public string Machine { get; } = machine;

    public int Cores { get; } = cores;

    public string Provider { get; set; } = "CPU";

    public SweepSettings Settings { get; } = settings;

    public List<RawResult> Raw { get; } = raw;

    public List<LevelResult> Levels { get; } = levels;

    public List<ContentionResult> Contention { get; } = contention;

    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{Settings.Model} on {Provider}, {Cores} cores, {Settings.Crop} input per request, {Settings.SecondsPerLevel:F0} s per level, output {Settings.Format}.");
        text.AppendLine();
        text.AppendLine("| raw ORT batch | I/O binding | MP/s | ms/batch | GPU util % |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (RawResult r in Raw)
        {
            text.AppendLine(c, $"| {r.Batch} | {r.IoBinding} | {r.MegapixelsPerSecond:F3} | {r.MillisecondsPerBatch:F1} | {Format(r.GpuUtilization)} |");
        }

        double rawBest = Raw.Where(r => r.Batch == Settings.MaxBatch).Select(r => r.MegapixelsPerSecond).DefaultIfEmpty(Raw.Select(r => r.MegapixelsPerSecond).DefaultIfEmpty(double.NaN).Max()).Max();
        text.AppendLine();
        text.AppendLine(c, $"| server config | clients | images/s | input MP/s | of raw (batch {Settings.MaxBatch}) | p50 ms | p99 ms | mean batch | GPU util % | GPU MiB | failed |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (LevelResult l in Levels)
        {
            text.AppendLine(c, $"| {l.Config} | {l.Clients} | {l.ImagesPerSecond:F2} | {l.InputMegapixelsPerSecond:F3} | {l.InputMegapixelsPerSecond / rawBest:F2} | {l.P50Ms:F0} | {l.P99Ms:F0} | {l.MeanBatch:F2} | {Format(l.GpuUtilization)} | {Format(l.GpuMemoryMiB)} | {l.Failed} |");
        }

        text.AppendLine();
        text.AppendLine("| server config | clients | decode ms | queue wait ms | inference ms | tiling ms | encode ms | server total ms |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (LevelResult l in Levels.Where(l => l.ServerStageMeansMs.Length == 6))
        {
            double[] m = l.ServerStageMeansMs;
            text.AppendLine(c, $"| {l.Config} | {l.Clients} | {m[0]:F1} | {m[1]:F1} | {m[2]:F1} | {m[3]:F1} | {m[4]:F1} | {m[5]:F1} |");
        }

        if (Contention.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| big job | big job asks for | small requests | idle p50 ms | idle p99 ms | loaded p50 ms | loaded p99 ms | loaded max ms | p99 loaded / idle | big job |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (ContentionResult r in Contention)
            {
                text.AppendLine(c, $"| {r.BigEdge}² | {r.BigPriority} | {r.Requests} | {r.IdleP50Ms:F0} | {r.IdleP99Ms:F0} | {r.LoadedP50Ms:F0} | {r.LoadedP99Ms:F0} | {r.LoadedMaxMs:F0} | {r.LoadedP99Ms / r.IdleP99Ms:F2} | {r.BigJobState} |");
            }
        }

        return text.ToString();
    }

    private static string Format(double? value) => value is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) : "–";
}
