using System.Globalization;
using System.Text.Json;
using ScottPlot;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// <c>--chart sweep.json --out chart.png</c>: throughput (input MP/s, left axis, with raw ONNX Runtime as a dashed
/// line) and p50/p99 latency (right axis) against concurrent clients, from a sweep's JSON.
/// </summary>
internal static class SweepChart
{
    public static void Render(string jsonPath, string pngPath)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(jsonPath));
        JsonElement root = json.RootElement;
        JsonElement settings = root.GetProperty("Settings");
        int maxBatch = settings.GetProperty("MaxBatch").GetInt32();
        var levels = root.GetProperty("Levels").EnumerateArray()
            .Where(l => l.GetProperty("Config").GetString() == $"max batch {maxBatch}")
            .Select(l => (
                Clients: l.GetProperty("Clients").GetInt32(),
                Throughput: l.GetProperty("InputMegapixelsPerSecond").GetDouble(),
                P50: l.GetProperty("P50Ms").GetDouble() / 1000,
                P99: l.GetProperty("P99Ms").GetDouble() / 1000))
            .OrderBy(l => l.Clients)
            .ToList();
        double raw = root.GetProperty("Raw").EnumerateArray()
            .Where(r => r.GetProperty("Batch").GetInt32() == maxBatch)
            .Select(r => r.GetProperty("MegapixelsPerSecond").GetDouble())
            .DefaultIfEmpty(double.NaN)
            .Max();

        double[] xs = [.. levels.Select(l => Math.Log2(l.Clients))];
        var plot = new Plot();
        var throughput = plot.Add.Scatter(xs, levels.Select(l => l.Throughput).ToArray());
        throughput.LegendText = "server, input MP/s";
        throughput.LineWidth = 2;
        if (!double.IsNaN(raw))
        {
            var line = plot.Add.HorizontalLine(raw);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"raw ONNX Runtime, batch {maxBatch}");
        }

        var p50 = plot.Add.Scatter(xs, levels.Select(l => l.P50).ToArray());
        p50.LegendText = "p50 latency, s";
        p50.Axes.YAxis = plot.Axes.Right;
        var p99 = plot.Add.Scatter(xs, levels.Select(l => l.P99).ToArray());
        p99.LegendText = "p99 latency, s";
        p99.Axes.YAxis = plot.Axes.Right;
        p99.LinePattern = LinePattern.Dotted;

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, [.. levels.Select(l => l.Clients.ToString(CultureInfo.InvariantCulture))]);
        plot.Axes.Bottom.Label.Text = "concurrent clients";
        plot.Axes.Left.Label.Text = "input megapixels / s";
        plot.Axes.Right.Label.Text = "latency, s";
        string provider = root.GetProperty("Provider").GetString() ?? "?";
        JsonElement crop = settings.GetProperty("Crop"); // a number (an edge) in older sweeps, EDGE or WxH since
        string size = crop.ValueKind == JsonValueKind.Number || !crop.GetString()!.Contains('x', StringComparison.OrdinalIgnoreCase)
            ? $"{(crop.ValueKind == JsonValueKind.Number ? crop.GetInt32().ToString(CultureInfo.InvariantCulture) : crop.GetString())}²"
            : crop.GetString()!;
        plot.Title(string.Create(CultureInfo.InvariantCulture,
            $"{settings.GetProperty("Model").GetString()} on {provider}, {size} per request, max batch {maxBatch}"));
        plot.Axes.SetLimitsY(0, Math.Max(raw is double.NaN ? 0 : raw, levels.Max(l => l.Throughput)) * 1.15, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, levels.Max(l => l.P99) * 1.15, plot.Axes.Right);
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(pngPath, 900, 560);
    }
}
