using System.Globalization;
using System.Text;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;

namespace RestoreGrpc.Benchmarks;

/// <summary>The unary benchmark (issue: foundation): per threads × tile size, raw ONNX Runtime seconds per image for
/// the tile plan against end-to-end restore through the server, with the server's stage times.</summary>
internal static class UnaryBenchmark
{
    public static async Task RunAsync(BenchmarkSettings settings)
    {
        string modelPath = Path.Combine(settings.ModelsDirectory, settings.ModelFile);
        IImageInfo info = Image.Identify(settings.Image);
        var culture = CultureInfo.InvariantCulture;
        var report = new StringBuilder();
        report.AppendLine(culture, $"Image {Path.GetFileName(settings.Image)} ({info.Width}x{info.Height}), model {settings.ModelFile}, margin {settings.Margin}, {Environment.ProcessorCount} cores, median of {settings.Runs} runs after a warm-up.");
        report.AppendLine();
        report.AppendLine("| threads | tile | tiles | raw ORT s/image | end-to-end s/image | e2e / raw | server decode | server inference | server tiling | server encode | output bytes |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");

        foreach (int threads in settings.Threads)
        {
            foreach (int tile in settings.Tiles)
            {
                var plan = TilePlan.Create(info.Width, info.Height, new TilePlanOptions(tile, settings.Margin, 4));
                double raw = RawInference.SecondsPerImage(modelPath, settings.Image, threads, plan, settings.Runs);
                EndToEnd.Result e2e = await EndToEnd.MeasureAsync(settings.ModelsDirectory, settings.Image, threads, tile, settings.Runs);
                string row = string.Create(culture,
                    $"| {threads} | {tile} | {plan.Count} ({plan.WindowWidth}x{plan.WindowHeight}) | {raw:F2} | {e2e.Seconds:F2} | {e2e.Seconds / raw:F3} | {e2e.Decode:F3} | {e2e.Inference:F2} | {e2e.Tiling:F3} | {e2e.Encode:F3} | {e2e.OutputBytes} |");
                report.AppendLine(row);
                Console.WriteLine(row);
            }
        }

        string output = Path.GetFullPath(settings.Output);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, report.ToString());
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"written to {output}");
    }
}
