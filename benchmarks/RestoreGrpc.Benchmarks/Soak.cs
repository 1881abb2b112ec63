using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using RestoreGrpc.Client;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// Soak (issue 14): N clients (64) for M minutes (10) send back to back a mix of sizes (48² to 512² cuts of the
/// image, PNG and JPEG) and models (the <c>nearest-x4</c> stand-in and the built-in Lanczos) to a server process
/// on loopback. Every 10 s: calls done, the server's RSS, and from its /metrics the managed heap after the last
/// collection, the GC's committed memory, gen-2 collections so far, and the thread pool's queue length and threads. At the end: calls by status, RSS growth after the warm-up (target &lt; 5 %), and
/// whether the thread pool starved (work items queued in every sample of a minute while threads kept being added).
/// A refused call (RESOURCE_EXHAUSTED) waits its RetryInfo delay, as a well-behaved client does.
/// <c>--soak [--minutes 10] [--clients 64] [--warmup-minutes 2 (at most a third of the run)] [--server-dll DLL]
/// [--image ../shared/images/astronaut.png] [--out report.md] [--server-arg KEY=VALUE]…</c>
/// </summary>
internal static class Soak
{
    private static readonly TimeSpan Sample = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(double minutes, int clients, double warmupMinutes, string serverDll, string[] serverArgs, string modelsDirectory, string imagePath, string? output)
    {
        var culture = CultureInfo.InvariantCulture;
        double warmup = Math.Min(warmupMinutes, minutes / 3);

        (string Name, byte[] Bytes)[] inputs = Inputs(imagePath);
        string[] models = [OverheadModel.Name, "builtin-lanczos-x4"];
        string modelPath = OverheadModel.Write(Path.Combine(Path.GetTempPath(), "restoregrpc-bench-models"));
        await using ServerProcess server = await ServerProcess.StartAsync(
            serverDll, modelsDirectory, OverheadModel.Name, 0, [.. OverheadModel.ServerArguments(modelPath), .. serverArgs], withMetrics: true);
        using var client = new RestoreClient(new RestoreClientOptions
        {
            Address = server.Address,
            MaxAttempts = 1,
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        });
        using var http = new HttpClient();

        var report = new StringBuilder();
        report.AppendLine(culture, $"soak: {clients} clients x {minutes:0.#} min (warm-up {warmup:0.#} min), {Environment.ProcessorCount} cores; inputs {string.Join(", ", inputs.Select(i => i.Name))}; models {string.Join(", ", models)}; server {serverDll} {string.Join(' ', serverArgs)}");
        report.AppendLine();
        report.AppendLine("| t s | calls/s | RSS MiB | GC heap MiB | GC committed MiB | gen2 GCs | thread-pool queue | thread-pool threads |");
        report.AppendLine("|---|---|---|---|---|---|---|---|");
        Console.Write(report);

        var statuses = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        long completed = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        Task[] workers = [.. Enumerable.Range(0, clients).Select(n => Task.Run(async () =>
        {
            var random = new Random(n);
            while (!stop.IsCancellationRequested)
            {
                (string _, byte[] bytes) = inputs[random.Next(inputs.Length)];
                try
                {
                    await client.RestoreAsync(bytes, new RestoreOptions { Model = models[random.Next(models.Length)] }, stop.Token);
                    statuses.AddOrUpdate("OK", 1, (_, c) => c + 1);
                    Interlocked.Increment(ref completed);
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (RpcException e)
                {
                    statuses.AddOrUpdate(e.StatusCode.ToString(), 1, (_, c) => c + 1);
                    if (e.StatusCode == StatusCode.ResourceExhausted)
                    {
                        TimeSpan delay = e.GetRpcStatus()?.GetDetail<Google.Rpc.RetryInfo>()?.RetryDelay?.ToTimeSpan() ?? TimeSpan.FromSeconds(1);
                        await Task.Delay(delay, CancellationToken.None);
                    }
                }
            }
        }))];

        var samples = new List<(double Seconds, double RssMiB, double HeapMiB, double CommittedMiB, double Queue, double Threads)>();
        var clock = Stopwatch.StartNew();
        long windowCompleted = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Sample, stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            string scrape = await http.GetStringAsync(server.MetricsAddress);
            (double seconds, double rss) = (clock.Elapsed.TotalSeconds, server.ResidentBytes() / 1048576.0);
            double queue = Series(scrape, "dotnet_thread_pool_queue_length"), threads = Series(scrape, "dotnet_thread_pool_thread_count");
            // The managed heap after the last collection and the memory the GC has committed: RSS growth beyond
            // them is native (ONNX Runtime, Kestrel's pools, the native heap), growth within them managed.
            double heap = Series(scrape, "dotnet_gc_last_collection_heap_size") / 1048576.0;
            double committed = Series(scrape, "dotnet_gc_last_collection_memory_committed_size") / 1048576.0;
            double gen2 = Series(scrape, "dotnet_gc_collections", "gc_heap_generation=\"gen2\"");
            samples.Add((seconds, rss, heap, committed, queue, threads));
            long now = Interlocked.Read(ref completed);
            string row = string.Create(culture, $"| {seconds:F0} | {(now - windowCompleted) / Sample.TotalSeconds:F1} | {rss:F0} | {heap:F0} | {committed:F0} | {gen2:F0} | {queue:F0} | {threads:F0} |");
            windowCompleted = now;
            Console.WriteLine(row);
            report.AppendLine(row);
        }

        await Task.WhenAll(workers);

        var afterWarmup = samples.Where(s => s.Seconds >= warmup * 60).ToList();
        double growth = afterWarmup.Count >= 2 ? (afterWarmup[^1].RssMiB / afterWarmup[0].RssMiB) - 1 : double.NaN;
        double peakGrowth = afterWarmup.Count >= 2 ? (afterWarmup.Max(s => s.RssMiB) / afterWarmup[0].RssMiB) - 1 : double.NaN;
        // Starvation: work items waiting in six samples in a row (a minute) while the pool kept adding threads.
        bool starved = Enumerable.Range(0, Math.Max(0, samples.Count - 5))
            .Any(i => samples.Skip(i).Take(6).All(s => s.Queue > 0) && samples[i + 5].Threads > samples[i].Threads);
        long total = statuses.Values.Sum();
        report.AppendLine();
        report.AppendLine(culture, $"calls: {total} ({total / clock.Elapsed.TotalSeconds:F1}/s); by status: {string.Join(", ", statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"))}");
        report.AppendLine(culture, $"RSS after the warm-up: {afterWarmup.FirstOrDefault().RssMiB:F0} MiB at {afterWarmup.FirstOrDefault().Seconds:F0} s → {afterWarmup.LastOrDefault().RssMiB:F0} MiB at the end: growth {growth:P1} (peak {peakGrowth:P1}; target < 5 %)");
        report.AppendLine(culture, $"managed heap after the warm-up: {afterWarmup.FirstOrDefault().HeapMiB:F0} → {afterWarmup.LastOrDefault().HeapMiB:F0} MiB (GC committed {afterWarmup.FirstOrDefault().CommittedMiB:F0} → {afterWarmup.LastOrDefault().CommittedMiB:F0} MiB); RSS beyond the GC's commit {afterWarmup.FirstOrDefault().RssMiB - afterWarmup.FirstOrDefault().CommittedMiB:F0} → {afterWarmup.LastOrDefault().RssMiB - afterWarmup.LastOrDefault().CommittedMiB:F0} MiB");
        report.AppendLine(culture, $"thread pool: queue length max {samples.DefaultIfEmpty().Max(s => s.Queue):F0}, threads {samples.DefaultIfEmpty().Min(s => s.Threads):F0}–{samples.DefaultIfEmpty().Max(s => s.Threads):F0}; starvation (queued for a minute while threads were added): {(starved ? "YES" : "no")}");
        Console.WriteLine();
        Console.WriteLine(string.Join(Environment.NewLine, report.ToString().Split(Environment.NewLine).SkipWhile(l => !l.StartsWith("calls:", StringComparison.Ordinal))));
        if (output is { Length: > 0 })
        {
            await File.WriteAllTextAsync(output, report.ToString());
        }
    }

    /// <summary>Cuts of the image from 48² to 512², as PNG and as JPEG.</summary>
    private static (string Name, byte[] Bytes)[] Inputs(string imagePath)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(imagePath);
        var inputs = new List<(string, byte[])>();
        foreach (int size in new[] { 48, 96, 192, 384, 512 })
        {
            int side = Math.Min(size, Math.Min(image.Width, image.Height));
            using Image<Rgb24> cut = image.Clone(x => x.Crop(new Rectangle(0, 0, side, side)));
            foreach ((string format, SixLabors.ImageSharp.Formats.IImageEncoder encoder) in new (string, SixLabors.ImageSharp.Formats.IImageEncoder)[] { ("png", new PngEncoder()), ("jpg", new JpegEncoder { Quality = 90 }) })
            {
                using var stream = new MemoryStream();
                cut.Save(stream, encoder);
                inputs.Add(($"{side}² {format}", stream.ToArray()));
            }
        }

        return [.. inputs];
    }

    /// <summary>The sum of a metric's samples in a Prometheus exposition (any suffix after the name: units, _total), of
    /// those with <paramref name="label"/> when given.</summary>
    private static double Series(string exposition, string name, string? label = null) =>
        exposition.Split('\n')
            .Where(line => line.StartsWith(name, StringComparison.Ordinal) && (label is null || line.Contains(label, StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
