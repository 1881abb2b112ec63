using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using RestoreGrpc.Client;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// Server memory under load and after it: a server process (any build's, <c>--server-dll</c>) serves the
/// <c>nearest-x4</c> stand-in; its RSS (VmRSS) is sampled every 5 s through phases of N clients sending a 512² PNG back
/// to back (2048² PNG out), idle phases (0) included. A refused call (RESOURCE_EXHAUSTED) waits its RetryInfo delay
/// and goes on, as a well-behaved client does.
/// <c>--memory [--server-dll DLL] [--label NAME] [--phases 0,16,64,200,0] [--seconds 35] [--idle-seconds 30]
/// [--final-idle-seconds 60] [--image ../shared/images/astronaut.png] [--server-arg KEY=VALUE]…</c>
/// </summary>
internal static class MemoryLoad
{
    private static readonly TimeSpan Sample = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(Settings settings, string modelsDirectory, string imagePath)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var culture = CultureInfo.InvariantCulture;
        (string serverDll, string label, int[] phases, int seconds, int idleSeconds, int finalIdleSeconds, string[] serverArgs, _) = settings;

        string modelPath = OverheadModel.Write(Path.Combine(Path.GetTempPath(), "restoregrpc-bench-models"));
        byte[] image = await File.ReadAllBytesAsync(imagePath);
        await using ServerProcess server = await ServerProcess.StartAsync(
            serverDll, modelsDirectory, OverheadModel.Name, 0, [.. OverheadModel.ServerArguments(modelPath), .. serverArgs]);
        using var client = new RestoreClient(new RestoreClientOptions
        {
            Address = server.Address,
            MaxAttempts = 1,
            // More than Kestrel's 100 streams per connection in flight at once.
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        });
        var options = new RestoreOptions { Model = OverheadModel.Name };
        await client.RestoreAsync(image, options); // first call: shapes and code paths warm

        var report = new StringBuilder();
        report.AppendLine(culture, $"{label}: {serverDll}; image {Path.GetFileName(imagePath)} ({image.Length / 1024} KiB), {Environment.ProcessorCount} cores; server args: {string.Join(' ', serverArgs)}");
        report.AppendLine();
        report.AppendLine("| t s | clients | RSS MiB | images/s (last 5 s) | refused (last 5 s) |");
        report.AppendLine("|---|---|---|---|---|");
        Console.Write(report);

        var summary = new List<string>();
        var clock = Stopwatch.StartNew();
        long completed = 0, refused = 0, failed = 0;
        double firstIdle = 0, peak = 0;
        double? backAt = null;
        for (int p = 0; p < phases.Length; p++)
        {
            int clients = phases[p];
            bool last = p == phases.Length - 1;
            TimeSpan length = TimeSpan.FromSeconds(clients > 0 ? seconds : last ? finalIdleSeconds : idleSeconds);
            using var stop = new CancellationTokenSource();
            long phaseCompleted = Interlocked.Read(ref completed), phaseRefused = Interlocked.Read(ref refused);
            double phaseStart = clock.Elapsed.TotalSeconds, phasePeak = 0;
            Task[] workers = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await client.RestoreAsync(image, options, stop.Token);
                        Interlocked.Increment(ref completed);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                    {
                        Interlocked.Increment(ref refused);
                        TimeSpan delay = e.GetRpcStatus()?.GetDetail<Google.Rpc.RetryInfo>()?.RetryDelay?.ToTimeSpan() ?? TimeSpan.FromSeconds(1);
                        await Task.Delay(delay, CancellationToken.None);
                    }
                    catch (Exception) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (RpcException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }))];

            var phaseWatch = Stopwatch.StartNew();
            long windowCompleted = Interlocked.Read(ref completed), windowRefused = Interlocked.Read(ref refused);
            while (phaseWatch.Elapsed < length)
            {
                await Task.Delay(Sample);
                long nowCompleted = Interlocked.Read(ref completed), nowRefused = Interlocked.Read(ref refused);
                double rss = server.ResidentBytes() / 1048576.0;
                phasePeak = Math.Max(phasePeak, rss);
                peak = Math.Max(peak, rss);
                if (p == 0 && clients == 0 && firstIdle == 0)
                {
                    firstIdle = rss; // the first sample: before any idle trim
                }

                if (last && clients == 0 && backAt is null && rss <= 1.2 * firstIdle)
                {
                    backAt = phaseWatch.Elapsed.TotalSeconds;
                }

                string row = string.Create(culture, $"| {clock.Elapsed.TotalSeconds:F0} | {clients} | {rss:F0} | {(nowCompleted - windowCompleted) / Sample.TotalSeconds:F1} | {nowRefused - windowRefused} |");
                Console.WriteLine(row);
                report.AppendLine(row);
                (windowCompleted, windowRefused) = (nowCompleted, nowRefused);
            }

            await stop.CancelAsync();
            await Task.WhenAll(workers);
            double phaseSeconds = clock.Elapsed.TotalSeconds - phaseStart;
            summary.Add(string.Create(culture,
                $"| {p + 1} | {clients} | {phaseSeconds:F0} | {(Interlocked.Read(ref completed) - phaseCompleted) / phaseSeconds:F1} | {Interlocked.Read(ref refused) - phaseRefused} | {phasePeak:F0} |"));
        }

        report.AppendLine();
        report.AppendLine("| phase | clients | s | images/s | refused | peak RSS MiB |");
        report.AppendLine("|---|---|---|---|---|---|");
        summary.ForEach(line => report.AppendLine(line));
        report.AppendLine();
        report.AppendLine(culture, $"{label}: first idle {firstIdle:F0} MiB, peak {peak:F0} MiB (VmHWM {server.PeakResidentBytes() / 1048576.0:F0} MiB), " +
            $"back within 1.2× of the first idle: {(backAt is { } s ? $"after {s:F0} s" : "no")}; failed calls (other than RESOURCE_EXHAUSTED): {failed}");
        Console.WriteLine();
        Console.WriteLine(string.Join(Environment.NewLine, report.ToString().Split(Environment.NewLine).SkipWhile(l => !l.StartsWith("| phase", StringComparison.Ordinal))));
        if (settings.Output is { Length: > 0 } output)
        {
            await File.WriteAllTextAsync(output, report.ToString());
        }
    }

    /// <summary>The <c>--memory</c> options (<see cref="BenchmarkModes"/>); <paramref name="ServerArgs"/> as the server
    /// takes them (<c>--Key=Value</c>).</summary>
    public sealed record Settings(string ServerDll, string Label, int[] Phases, int Seconds, int IdleSeconds, int FinalIdleSeconds, string[] ServerArgs, string? Output);
}
