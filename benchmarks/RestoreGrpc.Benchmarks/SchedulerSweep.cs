using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Client;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Server.Hosting;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// Scheduler benchmark (issue: scheduler). Raw ONNX Runtime throughput on the request's tile at several batch sizes,
/// then the server (in this process, called through the SDK over loopback gRPC) at 1…16 concurrent clients:
/// input MP/s, p50/p99 latency, mean batch size, GPU utilisation (nvidia-smi) where present; the same top level
/// with batching off; and the latency of a small interactive request while a large batch-priority job runs.
/// </summary>
internal static class SchedulerSweep
{
    /// <summary>How the sweeps write their JSON (NaN and infinities allowed: a level may have no samples).</summary>
    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static async Task RunAsync(SweepSettings settings)
    {
        (int requestWidth, int requestHeight) = BenchmarkModes.ParseSize(settings.Crop);
        byte[] small = Crop(settings.Image, requestWidth, requestHeight, out int width, out int height);
        double megapixels = width * height / 1e6;
        var report = new SweepReport(Environment.MachineName, Environment.ProcessorCount, settings, [], [], []);
        using var gpu = new GpuSampler();
        Console.WriteLine($"input {width}x{height}, model {settings.Model}, provider {settings.Provider}, {Environment.ProcessorCount} cores, GPU sampling {(gpu.Available ? "on" : "off")}");

        string modelPath = settings.ModelPath;
        foreach (int batch in File.Exists(modelPath) ? settings.RawBatches.Where(b => b > 0) : [])
        {
            foreach (bool binding in new[] { false, true })
            {
                RawResult? raw = Raw(modelPath, settings, width, height, batch, binding, gpu);
                if (raw is not null)
                {
                    report.Raw.Add(raw);
                    Console.WriteLine(Invariant($"raw batch {batch} binding {binding}: {raw.MegapixelsPerSecond:F3} MP/s, {raw.MillisecondsPerBatch:F1} ms/batch, GPU {raw.GpuUtilization:F0} %"));
                }
            }
        }

        await using (Server server = await Server.StartAsync(settings, settings.MaxBatch))
        {
            report.Provider = server.Provider;

            // Unrecorded: every batch size meets its kernels (cuDNN picks algorithms per shape) before the levels.
            await server.LevelAsync("warm-up", small, megapixels, settings.Clients.Max(), Math.Min(5, settings.SecondsPerLevel), RestorePriority.Interactive, gpu);
            foreach (int clients in settings.Clients)
            {
                LevelResult level = await server.LevelAsync($"max batch {settings.MaxBatch}", small, megapixels, clients, settings.SecondsPerLevel, RestorePriority.Interactive, gpu);
                report.Levels.Add(level);
                Console.WriteLine(level);
            }

            if (settings.ContentionEdge > 0)
            {
                foreach (RestorePriority bigPriority in new[] { RestorePriority.Batch, RestorePriority.Interactive })
                {
                    ContentionResult contention = await server.ContentionAsync(settings, small, bigPriority);
                    report.Contention.Add(contention);
                    Console.WriteLine(contention);
                }
            }
        }

        if (settings.MaxBatch > 1)
        {
            // Batching gain: the top concurrency again with one item per run.
            await using Server unbatched = await Server.StartAsync(settings, 1);
            LevelResult level = await unbatched.LevelAsync("max batch 1", small, megapixels, settings.Clients.Max(), settings.SecondsPerLevel, RestorePriority.Interactive, gpu);
            report.Levels.Add(level);
            Console.WriteLine(level);
        }

        Directory.CreateDirectory(settings.OutputDirectory);
        string stem = Path.Combine(settings.OutputDirectory, $"sweep-{report.Provider.ToLowerInvariant()}");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, JsonOptions));
        await File.WriteAllTextAsync(stem + ".md", report.ToMarkdown());
        Console.WriteLine(report.ToMarkdown());
        Console.WriteLine($"written to {stem}.json and .md");
    }

    private static RawResult? Raw(string modelPath, SweepSettings settings, int width, int height, int batch, bool binding, GpuSampler gpu)
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            IntraOpNumThreads = settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        bool cuda = false;
        if (!settings.Provider.Equals("Cpu", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                options.AppendExecutionProvider_CUDA(0);
                cuda = true;
            }
            catch (OnnxRuntimeException)
            {
            }
        }

        if (binding && !cuda)
        {
            return null; // I/O binding matters on CUDA only
        }

        OrtMemoryInfo? memory = binding
            ? new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA_PINNED, OrtAllocatorType.DeviceAllocator, 0, OrtMemType.CpuOutput)
            : null;
        using var instance = new OnnxSessionInstance(new InferenceSession(modelPath, options), memory);
        var random = new Random(1);
        float[] input = new float[batch * 3 * width * height];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = random.NextSingle();
        }

        float[] output = new float[input.Length * 16];
        long[] inputShape = [batch, 3, height, width];
        long[] outputShape = [batch, 3, height * 4, width * 4];
        using var runOptions = new RunOptions();
        for (int i = 0; i < 3; i++)
        {
            instance.Run(runOptions, input, output, inputShape, outputShape);
        }

        Console.WriteLine($"raw batch {batch}: binding {instance.Binding}");

        var watch = Stopwatch.StartNew();
        long from = Stopwatch.GetTimestamp();
        int runs = 0;
        while (runs < 3 || watch.Elapsed.TotalSeconds < Math.Min(5, settings.SecondsPerLevel / 2))
        {
            instance.Run(runOptions, input, output, inputShape, outputShape);
            runs++;
        }

        double seconds = watch.Elapsed.TotalSeconds;
        (double? utilization, _) = gpu.Between(from, Stopwatch.GetTimestamp());
        return new RawResult(batch, instance.Binding, cuda ? "CUDA" : "CPU", runs * batch * width * height / 1e6 / seconds, 1000 * seconds / runs, utilization);
    }

    /// <summary>A centre crop of the image, scaled up first (Lanczos) where it is smaller than the crop.</summary>
    private static byte[] Crop(string path, int cropWidth, int cropHeight, out int width, out int height)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(path);
        double cover = Math.Max((double)cropWidth / image.Width, (double)cropHeight / image.Height);
        if (cover > 1)
        {
            image.Mutate(c => c.Resize((int)Math.Ceiling(image.Width * cover), (int)Math.Ceiling(image.Height * cover)));
        }

        var area = new Rectangle((image.Width - cropWidth) / 2, (image.Height - cropHeight) / 2, cropWidth, cropHeight);
        (width, height) = (area.Width, area.Height);
        image.Mutate(c => c.Crop(area));
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The server in this process with its SDK client.</summary>
    private sealed class Server : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly RestoreClient _client;
        private readonly DynamicBatcher _batcher;
        private readonly SweepSettings _settings;

        private Server(WebApplication app, SweepSettings settings)
        {
            _app = app;
            _settings = settings;
            _client = new RestoreClient(new RestoreClientOptions { Address = app.ListeningAddress(), MaxAttempts = 1, MaxSendMessageBytes = 1 << 30 });
            _batcher = app.Services.GetRequiredService<DynamicBatcher>();
        }

        public string Provider { get; private set; } = "CPU";

        public static async Task<Server> StartAsync(SweepSettings settings, int maxBatch)
        {
            string[] args =
            [
                "--urls", "http://127.0.0.1:0",
                $"--Restore:Models:Directory={settings.ModelsDirectory}",
                $"--Restore:Models:DefaultModel={settings.Model}",
                $"--Restore:Models:IntraOpThreads={settings.Threads}",
                $"--Restore:Models:ExecutionProvider={settings.Provider}",
                $"--Restore:Batching:MaxBatch={maxBatch}",
                "--Restore:Batching:MaxQueuedItems=4096",
                "--Restore:Limits:MaxInputPixels=67108864",
                "--Restore:Limits:MaxOutputPixels=1073741824",
                "--Restore:Server:MaxSendMessageBytes=2147483647",
                "--Restore:Server:MaxReceiveMessageBytes=1073741824",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:RestoreGrpc=Information",
                .. settings.ExtraServerArgs.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            ];
            WebApplication app = RestoreServer.Build(args);
            await app.StartAsync();
            var server = new Server(app, settings);

            // Measure only once every configured model has loaded and warmed up.
            ModelCatalog catalog = app.Services.GetRequiredService<ModelCatalog>();
            var loading = Stopwatch.StartNew();
            while (catalog.List().Any(m => m.State is ModelState.Pending or ModelState.Loading or ModelState.Downloading) && loading.Elapsed < TimeSpan.FromMinutes(10))
            {
                await Task.Delay(100);
            }

            await server._client.RestoreAsync(Crop(settings.Image, 64, 64, out _, out _), server.Options(RestorePriority.Interactive));
            ModelStatus status = catalog.List().Single(m => m.Descriptor.Name == settings.Model);
            server.Provider = status.ExecutionProvider ?? "CPU";
            return server;
        }

        public RestoreOptions Options(RestorePriority priority) => new()
        {
            Model = _settings.Model,
            Format = OutputFormats.Parse(_settings.Format),
            Priority = priority,
        };

        public async Task<LevelResult> LevelAsync(string config, byte[] image, double megapixels, int clients, double seconds, RestorePriority priority, GpuSampler gpu)
        {
            RestoreOptions options = Options(priority);
            await _client.RestoreAsync(image, options); // shape warm-up
            long batches = 0, items = 0;
            void Count(IReadOnlyList<BatchOwner> owners)
            {
                Interlocked.Increment(ref batches);
                Interlocked.Add(ref items, owners.Count);
            }

            _batcher.BatchCompleted += Count;
            var latencies = new ConcurrentBag<double>();
            var stages = new ConcurrentBag<double[]>();
            int failed = 0;
            long from = Stopwatch.GetTimestamp();
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
            {
                while (watch.Elapsed.TotalSeconds < seconds)
                {
                    long start = Stopwatch.GetTimestamp();
                    try
                    {
                        RestoreResult result = await _client.RestoreAsync(image, options);
                        latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        var t = result.Details.Timings;
                        stages.Add([.. new[] { t.Decode, t.QueueWait, t.Inference, t.Tiling, t.Encode, t.Total }.Select(d => d.ToTimeSpan().TotalMilliseconds)]);
                    }
                    catch (Grpc.Core.RpcException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            })));
            double elapsed = watch.Elapsed.TotalSeconds;
            _batcher.BatchCompleted -= Count;
            (double? utilization, double? memory) = gpu.Between(from, Stopwatch.GetTimestamp());
            var sorted = latencies.Order().ToList();
            return new LevelResult(
                config,
                clients,
                sorted.Count,
                failed,
                elapsed,
                sorted.Count / elapsed,
                sorted.Count * megapixels / elapsed,
                Percentiles.Of(sorted, 0.50),
                Percentiles.Of(sorted, 0.99),
                batches == 0 ? 0 : (double)items / batches,
                utilization,
                memory,
                stages.IsEmpty ? [] : [.. Enumerable.Range(0, 6).Select(i => stages.Average(x => x[i]))]);
        }

        public async Task<ContentionResult> ContentionAsync(SweepSettings settings, byte[] image, RestorePriority bigPriority)
        {
            RestoreOptions smallOptions = Options(RestorePriority.Interactive);
            var idle = new List<double>();
            for (int i = 0; i < settings.ContentionRequests; i++)
            {
                idle.Add(await TimeAsync(() => _client.RestoreAsync(image, smallOptions)));
            }

            byte[] big = Resized(settings.Image, settings.ContentionEdge);
            using var stop = new CancellationTokenSource();
            Task<RestoreResult> job = _client.RestoreAsync(big, Options(bigPriority) with { Format = OutputFormat.Bmp }, stop.Token);
            // Let the big job decode and fill the queue before measuring.
            var waited = Stopwatch.StartNew();
            while (_batcher.QueuedItems == 0 && !job.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
            }

            var loaded = new List<double>();
            for (int i = 0; i < settings.ContentionRequests && !job.IsCompleted; i++)
            {
                loaded.Add(await TimeAsync(() => _client.RestoreAsync(image, smallOptions)));
            }

            string state = job.IsCompleted ? "finished before the small requests did" : "running (cancelled after)";
            await stop.CancelAsync();
            try
            {
                await job;
            }
            catch (Grpc.Core.RpcException)
            {
            }

            idle.Sort();
            loaded.Sort();
            return new ContentionResult(
                settings.ContentionEdge,
                bigPriority.ToString(),
                Percentiles.Of(idle, 0.5),
                Percentiles.Of(idle, 0.99),
                Percentiles.Of(loaded, 0.5),
                Percentiles.Of(loaded, 0.99),
                loaded.Count == 0 ? double.NaN : loaded[^1],
                loaded.Count,
                state);
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        private static async Task<double> TimeAsync(Func<Task> call)
        {
            long start = Stopwatch.GetTimestamp();
            await call();
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        private static byte[] Resized(string path, int edge)
        {
            using Image<Rgb24> image = Image.Load<Rgb24>(path);
            image.Mutate(c => c.Resize(edge, edge));
            using var stream = new MemoryStream();
            image.SaveAsPng(stream, new SixLabors.ImageSharp.Formats.Png.PngEncoder { CompressionLevel = SixLabors.ImageSharp.Formats.Png.PngCompressionLevel.BestSpeed });
            return stream.ToArray();
        }
    }

}
