using System.CommandLine;
using System.Globalization;
using static RestoreGrpc.Benchmarks.BenchmarkOptions;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// The benchmark's modes, each a command with its own options and help (<c>--sweep --help</c>). A mode is named by
/// its flag anywhere on the line (<c>--sweep</c>, <c>--chart FILE</c>, …), as the scripts and the README call them;
/// with none, the unary benchmark runs.
/// </summary>
internal static partial class BenchmarkModes
{
    /// <summary>Every mode by its flag; the unary benchmark is the one with no flag.</summary>
    public static IReadOnlyList<(string Flag, Func<RootCommand> Create)> All { get; } =
    [
        ("--chart", Chart),
        ("--sweep", Sweep),
        ("--raw", RawMode),
        ("--webp-encode", WebpEncode),
        ("--jpeg-fidelity", JpegFidelityMode),
        ("--memory", Memory),
        ("--stream", Stream),
        ("--faces", Faces),
        ("--telemetry-cost", TelemetryCostMode),
        ("--telemetry-overhead", TelemetryOverheadMode),
        ("--fleet", Fleet),
        ("--soak", SoakMode),
        ("--tenant-flood", TenantFloodMode),
        ("--generate-networks", GenerateNetworks),
    ];

    /// <summary>Raw ONNX Runtime inference of a tile plan vs end-to-end restore through the server (issue: foundation).</summary>
    public static RootCommand Unary()
    {
        Option<string> models = Models();
        Option<string> modelFile = Text("--model-file", "realesr-general-x4v3.onnx", "Model file in --models.", "FILE");
        Option<string> image = Image();
        Option<int> runs = Runs(3, "Runs per row (median, after a warm-up).");
        Option<int[]> threads = IntList("--threads", [1, 2], "ONNX Runtime intra-op threads, one row group each.");
        Option<int[]> tiles = IntList("--tiles", [256, 512], "Tile sizes, one row each.");
        Option<int> margin = Int("--margin", 34, "Tile margin (pixels).");
        Option<string> output = Text("--out", "benchmarks/results/unary.md", "Markdown report to write.", "FILE");
        var command = new RootCommand(
            "Unary benchmark: raw ONNX Runtime inference of a tile plan vs end-to-end restore through the server. Other modes, each with its own --help: "
            + string.Join(", ", All.Select(m => m.Flag)) + ".")
        {
            models, modelFile, image, runs, threads, tiles, margin, output,
        };
        command.SetAction((result, _) => UnaryBenchmark.RunAsync(new BenchmarkSettings(
            result.GetRequiredValue(models), result.GetRequiredValue(modelFile), result.GetRequiredValue(image), result.GetValue(runs),
            result.GetRequiredValue(threads), result.GetRequiredValue(tiles), result.GetValue(margin), result.GetRequiredValue(output))));
        return command;
    }

    private static RootCommand Chart()
    {
        Option<string> json = Path("--chart", "benchmarks/results/sweep-cpu.json", "A sweep's JSON (written by --sweep).", "FILE");
        Option<string?> png = new("--out") { Description = "The PNG to write (default: the JSON's path with .png).", HelpName = "FILE" };
        var command = new RootCommand("A sweep's JSON as a PNG chart.") { json, png };
        command.SetAction(result =>
        {
            string source = result.GetRequiredValue(json);
            SweepChart.Render(source, result.GetValue(png) ?? System.IO.Path.ChangeExtension(source, ".png"));
        });
        return command;
    }

    private static RootCommand Sweep()
    {
        Option<string> models = Models();
        Option<string> model = Text("--model", "realesr-general-x4v3", $"Catalog model to serve ({OverheadModel.Name}: a near-free stand-in, the server's own cost per image).", "NAME");
        Option<string> image = Image();
        Option<string> crop = Text("--crop", "256", "Request size, EDGE or WIDTHxHEIGHT: a centre crop of the image (scaled up first where it is smaller).", "SIZE");
        Option<int[]> clients = IntList("--clients", [1, 2, 4, 8, 16], "Concurrent clients, one level each.");
        Option<double> seconds = BenchmarkOptions.Double("--seconds", 20, "Seconds per level.", "S");
        Option<int> maxBatch = Int("--max-batch", 4, "The server's Restore:Batching:MaxBatch.");
        Option<int[]> rawBatches = IntList("--raw-batches", [1, 4], "Batch sizes of the raw ONNX Runtime baseline.");
        Option<int> threads = Int("--threads", 0, "ONNX Runtime intra-op threads (0: its default).");
        Option<string> provider = Text("--provider", "Auto", "Execution provider (Auto, Cpu, Cuda).", "NAME");
        Option<string> format = Text("--format", "png", "Output format of the requests.", "FORMAT");
        Option<string> output = Path("--out", "benchmarks/results", "Folder for the report, JSON and chart.", "DIR");
        Option<int> contention = Int("--contention", 0, "Edge of the large batch-priority job for the interactive-latency test (0: skip it).", "PIXELS");
        Option<int> contentionRequests = Int("--contention-requests", 10, "Interactive requests measured during the large job.");
        Option<string> serverArgs = Text("--server-args", string.Empty, "More server settings, space-separated (--Key=Value …).", "ARGS");
        var command = new RootCommand("Scheduler sweep: raw ONNX Runtime batches, then the server at each client level (MP/s, p50/p99, batch size, GPU use), batching off, and interactive latency under a large job.")
        {
            Flag("--sweep", "Run this mode."), models, model, image, crop, clients, seconds, maxBatch, rawBatches, threads, provider, format, output,
            contention, contentionRequests, serverArgs,
        };
        command.SetAction((result, _) => SchedulerSweep.RunAsync(new SweepSettings(
            result.GetRequiredValue(models), result.GetRequiredValue(model), result.GetRequiredValue(image), result.GetRequiredValue(crop),
            result.GetRequiredValue(clients), result.GetValue(seconds), result.GetValue(maxBatch), result.GetRequiredValue(rawBatches),
            result.GetValue(threads), result.GetRequiredValue(provider), result.GetRequiredValue(format), result.GetRequiredValue(output),
            result.GetValue(contention), result.GetValue(contentionRequests), result.GetRequiredValue(serverArgs)).WithOverheadModel()));
        return command;
    }

    private static RootCommand WebpEncode()
    {
        Option<string> image = Image();
        Option<int> runs = Runs(3);
        var command = new RootCommand("WebP encode time, libwebp against ImageSharp's encoder and JPEG/PNG (issue 11).")
        {
            Flag("--webp-encode", "Run this mode."), image, runs,
        };
        command.SetAction(result => WebpEncodeBenchmark.Run(result.GetRequiredValue(image), result.GetValue(runs)));
        return command;
    }

    private static RootCommand JpegFidelityMode()
    {
        Option<string> models = Models();
        Option<string> images = Path("--images", "../shared/images", "Folder of the test images.", "DIR");
        Option<int> runs = Runs(3);
        var command = new RootCommand("JPEG decode vs libjpeg-turbo, and restored output vs the reference network fed by it (issue 19).")
        {
            Flag("--jpeg-fidelity", "Run this mode."), models, images, runs,
        };
        command.SetAction((result, _) => JpegFidelity.RunAsync(result.GetRequiredValue(models), result.GetRequiredValue(images), result.GetValue(runs)));
        return command;
    }

    private static RootCommand Memory()
    {
        Option<string> models = Models();
        Option<string> image = Image();
        Option<string> serverDll = ServerDll();
        Option<string?> label = new("--label") { Description = "Names the server in the report (default: its folder).", HelpName = "NAME" };
        Option<int[]> phases = IntList("--phases", [0, 16, 64, 200, 0], "Clients per phase (0: idle).");
        Option<int> seconds = Int("--seconds", 35, "Seconds per loaded phase.", "S");
        Option<int> idleSeconds = Int("--idle-seconds", 30, "Seconds per idle phase.", "S");
        Option<int> finalIdleSeconds = Int("--final-idle-seconds", 60, "Seconds of the last idle phase.", "S");
        Option<string[]> serverArg = ServerArguments();
        Option<string?> output = new("--out") { Description = "Also write the report to this Markdown file.", HelpName = "FILE" };
        var command = new RootCommand("Server memory (RSS every 5 s) through idle → N clients → idle, in a server process of its own (issue 20).")
        {
            Flag("--memory", "Run this mode."), models, image, serverDll, label, phases, seconds, idleSeconds, finalIdleSeconds, serverArg, output,
        };
        command.SetAction((result, _) =>
        {
            string dll = result.GetRequiredValue(serverDll);
            return MemoryLoad.RunAsync(
                new MemoryLoad.Settings(
                    dll,
                    result.GetValue(label) ?? System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(dll)) ?? "server",
                    result.GetRequiredValue(phases),
                    result.GetValue(seconds),
                    result.GetValue(idleSeconds),
                    result.GetValue(finalIdleSeconds),
                    ServerSettings(result.GetRequiredValue(serverArg)),
                    result.GetValue(output)),
                result.GetRequiredValue(models),
                result.GetRequiredValue(image));
        });
        return command;
    }

    private static RootCommand Stream()
    {
        Option<string> models = Models();
        Option<int[]> sizes = IntList("--sizes", [2048, 4096, 8192], "Input edges (pixels), one streamed row each.");
        Option<int> unary = Int("--unary", 2048, "Edge of the unary comparison row.", "PIXELS");
        Option<string> model = Text("--model", "builtin-lanczos-x4", "Catalog model.", "NAME");
        Option<int> tile = Int("--tile", 512, "Tile size.", "PIXELS");
        Option<int> threads = Int("--threads", 2, "ONNX Runtime intra-op threads.");
        var command = new RootCommand("Tile streaming (issue 4): input MP/s and server peak RSS per input size, each in a fresh server process.")
        {
            Flag("--stream", "Run this mode."), models, sizes, unary, model, tile, threads,
        };
        command.SetAction((result, _) => StreamingBenchmark.RunAsync(
            new StreamingBenchmark.Settings(result.GetRequiredValue(sizes), result.GetValue(unary), result.GetRequiredValue(model), result.GetValue(tile), result.GetValue(threads)),
            result.GetRequiredValue(models)));
        return command;
    }

    private static RootCommand Faces()
    {
        Option<string> models = Models();
        Option<string> modelFile = Text("--model-file", "face-standin-512.onnx", "Face restorer file in --models.", "FILE");
        Option<int> runs = Runs(3, "Faces measured: 16 × this.");
        Option<int[]> threads = IntList("--threads", [1, 2], "ONNX Runtime intra-op threads, one row group each.");
        var command = new RootCommand("Face restorer throughput (faces/s) by threads and batch, and an SR-sized load per crop for comparison.")
        {
            Flag("--faces", "Run this mode."), models, modelFile, runs, threads,
        };
        command.SetAction(result =>
        {
            string directory = result.GetRequiredValue(models);
            FaceThroughput.PrintTable(System.IO.Path.Combine(directory, result.GetRequiredValue(modelFile)), directory, result.GetRequiredValue(threads), result.GetValue(runs) * 16);
        });
        return command;
    }

    private static RootCommand TelemetryCostMode()
    {
        Option<string> otlp = Otlp();
        Option<int> runs = Runs(1000, "Requests (at least 1000).");
        var command = new RootCommand("Instrumentation cost of one request, in-process (tracing + metrics, spans exported by OTLP).")
        {
            Flag("--telemetry-cost", "Run this mode."), otlp, runs,
        };
        command.SetAction(result =>
        {
            int requests = Math.Max(1000, result.GetValue(runs));
            string endpoint = result.GetRequiredValue(otlp);
            double micros = TelemetryCost.MicrosecondsPerRequest(new Uri(endpoint), requests);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{micros:F1} µs of tracing + metrics per one-tile request ({requests} requests, spans exported by OTLP to {endpoint})"));
        });
        return command;
    }

    private static RootCommand TelemetryOverheadMode()
    {
        Option<string> otlp = Otlp();
        Option<string> serverDll = ServerDll();
        Option<string> models = Models();
        Option<string> image = Image();
        Option<string> model = Text("--model", "realesr-general-x4v3", "Catalog model.", "NAME");
        Option<int> runs = Runs(3, "Pairs of calls (one to each server, alternating).");
        Option<int[]> threads = IntList("--threads", [1], "ONNX Runtime intra-op threads (the first value is used).");
        Option<bool> control = Flag("--control", "Both servers with telemetry off, to see the harness's own bias.");
        var command = new RootCommand("Tracing + metrics on vs off: two server processes, alternating calls.")
        {
            Flag("--telemetry-overhead", "Run this mode."), otlp, serverDll, models, image, model, runs, threads, control,
        };
        command.SetAction(async (result, _) =>
        {
            string imagePath = result.GetRequiredValue(image);
            string modelName = result.GetRequiredValue(model);
            TelemetryOverhead.Result r = await TelemetryOverhead.MeasureAsync(
                result.GetRequiredValue(serverDll), result.GetRequiredValue(models), imagePath, modelName, result.GetRequiredValue(threads)[0],
                result.GetValue(runs), new Uri(result.GetRequiredValue(otlp)), result.GetValue(control)).ConfigureAwait(false);
            Console.WriteLine("| image | model | pairs | off median s | on median s | paired overhead (median) | off images/s | on images/s |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {System.IO.Path.GetFileName(imagePath)} | {modelName} | {r.Pairs} | {r.OffMedian:F3} | {r.OnMedian:F3} | {r.PairedOverhead:+0.0%;-0.0%} | {r.OffImagesPerSecond:F3} | {r.OnImagesPerSecond:F3} |"));
        });
        return command;
    }
}
