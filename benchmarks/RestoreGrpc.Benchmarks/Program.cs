using System.Globalization;
using System.Text;
using RestoreGrpc.Benchmarks;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;

// Unary benchmark (issue: foundation). Run from the repository root:
//   dotnet run -c Release --project benchmarks/RestoreGrpc.Benchmarks -- --models ../shared/models --image ../shared/images/astronaut.png
if (args.Contains("--chart"))
{
    // A sweep's JSON as a PNG chart: --chart sweep.json --out chart.png
    string json = args[Array.IndexOf(args, "--chart") + 1];
    int outIndex = Array.IndexOf(args, "--out");
    SweepChart.Render(json, outIndex >= 0 ? args[outIndex + 1] : Path.ChangeExtension(json, ".png"));
    return;
}

if (args.Contains("--sweep"))
{
    // Scheduler sweep (issue: scheduler): see SweepSettings for the options.
    await SchedulerSweep.RunAsync(SweepSettings.Parse(args));
    return;
}

BenchmarkSettings settings = BenchmarkSettings.Parse(args);
if (args.Contains("--webp-encode"))
{
    // WebP encode time, libwebp against ImageSharp's encoder and JPEG/PNG (issue 11): --webp-encode [--image FILE] [--runs N]
    WebpEncodeBenchmark.Run(settings.Image, settings.Runs);
    return;
}

if (args.Contains("--jpeg-fidelity"))
{
    // JPEG decode vs libjpeg-turbo, and restored output vs the reference network fed by it (issue 19):
    //   --jpeg-fidelity [--models DIR] [--images DIR] [--runs N]
    int images = Array.IndexOf(args, "--images");
    await JpegFidelity.RunAsync(settings.ModelsDirectory, Path.GetFullPath(images >= 0 ? args[images + 1] : "../shared/images"), settings.Runs);
    return;
}

if (args.Contains("--memory"))
{
    // Server RSS every 5 s through idle → N clients → idle (issue 20): see MemoryLoad for the options.
    await MemoryLoad.RunAsync(args, settings.ModelsDirectory, settings.Image);
    return;
}

if (args.Contains("--tenant-flood"))
{
    // Tenant isolation (issue 14): a quiet tenant's p99 alone vs beside a flooding tenant: see TenantFlood for the options.
    await TenantFlood.RunAsync(args, settings.ModelsDirectory);
    return;
}

if (args.Contains("--stream"))
{
    // Tile streaming (issue 4): input MP/s and server peak RSS per input size, in separate server processes.
    await StreamingBenchmark.RunAsync(args, settings.ModelsDirectory);
    return;
}

if (args.Contains("--faces"))
{
    // Face restorer throughput: --faces [--models DIR] [--model-file face-standin-512.onnx] [--runs N faces]
    string restorer = Path.Combine(settings.ModelsDirectory, args.Contains("--model-file") ? settings.ModelFile : "face-standin-512.onnx");
    int faces = settings.Runs * 16;
    Console.WriteLine($"| model | threads | batch | faces/s |");
    Console.WriteLine("|---|---|---|---|");
    // The stand-in costs almost nothing; general-x4v3 making 512×512 from 128×128 is an SR-sized load per crop.
    (string File, int Size, int Scale)[] loads = [(restorer, 512, 1), (Path.Combine(settings.ModelsDirectory, "realesr-general-x4v3.onnx"), 128, 4)];
    foreach ((string file, int size, int scale) in loads)
    {
        foreach (int threads in settings.Threads)
        {
            foreach (int batch in new[] { 1, 4, 8 })
            {
                double rate = FaceThroughput.FacesPerSecond(file, threads, batch, faces, size, scale);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {Path.GetFileName(file)} ({size}² → {size * scale}²) | {threads} | {batch} | {rate:F1} |"));
            }
        }
    }

    return;
}

if (args.Contains("--telemetry-cost"))
{
    // Instrumentation cost of one request, in-process: --telemetry-cost --otlp URL [--runs REQUESTS]
    int requests = Math.Max(1000, settings.Runs);
    string otlp = Array.IndexOf(args, "--otlp") is int at and >= 0 && at + 1 < args.Length ? args[at + 1] : "http://127.0.0.1:4317";
    double micros = TelemetryCost.MicrosecondsPerRequest(new Uri(otlp), requests);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{micros:F1} µs of tracing + metrics per one-tile request ({requests} requests, spans exported by OTLP to {otlp})"));
    return;
}

if (args.Contains("--telemetry-overhead"))
{
    // Tracing + metrics on vs off, two server processes, alternating calls:
    //   --telemetry-overhead --otlp URL (a running OTLP/gRPC receiver) [--model NAME] [--image FILE] [--runs PAIRS] [--threads N]
    //   [--control: both servers off, to see the harness's own bias]
    string Arg(string name, string fallback) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    string modelName = Arg("--model", "realesr-general-x4v3");
    string serverDll = Path.GetFullPath(Arg("--server-dll", Path.Combine(AppContext.BaseDirectory, "RestoreGrpc.Server.dll")));
    TelemetryOverhead.Result r = await TelemetryOverhead.MeasureAsync(
        serverDll, settings.ModelsDirectory, settings.Image, modelName, settings.Threads[0], settings.Runs, new Uri(Arg("--otlp", "http://127.0.0.1:4317")), control: args.Contains("--control"));
    Console.WriteLine("| image | model | pairs | off median s | on median s | paired overhead (median) | off images/s | on images/s |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {Path.GetFileName(settings.Image)} | {modelName} | {r.Pairs} | {r.OffMedian:F3} | {r.OnMedian:F3} | {r.PairedOverhead:+0.0%;-0.0%} | {r.OffImagesPerSecond:F3} | {r.OnImagesPerSecond:F3} |"));
    return;
}

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
