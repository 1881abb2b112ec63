using System.Diagnostics;
using System.Globalization;
using System.Text;
using RestoreGrpc.Client;
using RestoreGrpc.Client.Streaming;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// Tile streaming: for each input size, a fresh server process streams a synthetic image (computed on the fly, output
/// counted and dropped) and reports input MP/s and the server's peak RSS (VmHWM); then the unary path on a
/// <c>--unary</c>-sized PNG of the same pattern, also in a fresh process, for comparison.
/// <c>--stream [--sizes 2048,4096,8192] [--unary 2048] [--model builtin-lanczos-x4] [--tile 512] [--threads 2]</c>.
/// </summary>
internal static class StreamingBenchmark
{
    public static async Task RunAsync(Settings settings, string modelsDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var culture = CultureInfo.InvariantCulture;
        (int[] sizes, int unary, string model, int tile, int threads) = settings;
        var options = new RestoreOptions { Model = model, TileSize = tile };

        var report = new StringBuilder();
        report.AppendLine(culture, $"Model {model}, tile {tile}, {threads} threads, {Environment.ProcessorCount} cores; each row a fresh server process.");
        report.AppendLine();
        report.AppendLine("| path | input | output | tiles | seconds | server inference s | input MP/s | server peak RSS (VmHWM) | peak job bytes |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(report);

        foreach (int size in sizes)
        {
            await using ServerProcess server = await ServerProcess.StartAsync(modelsDirectory, model, threads);
            using var client = new RestoreClient(new RestoreClientOptions { Address = server.Address });
            var sink = new CountingTileSink();
            var watch = Stopwatch.StartNew();
            StreamRestoreResult result = await client.RestoreLargeAsync(new SyntheticTileSource(size, size), sink, options);
            double seconds = watch.Elapsed.TotalSeconds;
            string row = string.Create(culture,
                $"| stream | {size}² | {result.OutputWidth}² | {result.TileCount} | {seconds:F1} | {result.ServerInference.TotalSeconds:F1} | {(double)size * size / 1e6 / seconds:F3} | {server.PeakResidentBytes() / 1048576.0:F0} MiB | {result.PeakServerJobBytes / 1048576.0:F0} MiB |");
            report.AppendLine(row);
            Console.WriteLine(row);
        }

        if (unary > 0)
        {
            await using ServerProcess server = await ServerProcess.StartAsync(modelsDirectory, model, threads);
            using var client = new RestoreClient(new RestoreClientOptions { Address = server.Address });
            byte[] png = SyntheticPng(unary);
            var watch = Stopwatch.StartNew();
            RestoreResult result = await client.RestoreAsync(png, options with { Format = OutputFormat.Png });
            double seconds = watch.Elapsed.TotalSeconds;
            string row = string.Create(culture,
                $"| unary (PNG in/out) | {unary}² | {result.Output.Width}² | {result.Details.TileCount} | {seconds:F1} | {result.Details.Timings.Inference.ToTimeSpan().TotalSeconds:F1} | {(double)unary * unary / 1e6 / seconds:F3} | {server.PeakResidentBytes() / 1048576.0:F0} MiB | |");
            report.AppendLine(row);
            Console.WriteLine(row);
        }

        Console.WriteLine();
        Console.WriteLine(report);
    }

    private static byte[] SyntheticPng(int size)
    {
        using var image = new Image<Rgb24>(size, size);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                image[x, y] = new Rgb24(SyntheticTileSource.Red(x, y), SyntheticTileSource.Green(x, y), SyntheticTileSource.Blue(x, y));
            }
        }

        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder { CompressionLevel = PngCompressionLevel.BestSpeed });
        return stream.ToArray();
    }

    /// <summary>The <c>--stream</c> options (<see cref="BenchmarkModes"/>).</summary>
    public sealed record Settings(int[] Sizes, int Unary, string Model, int Tile, int Threads);
}
