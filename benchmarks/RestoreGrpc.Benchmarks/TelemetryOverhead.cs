using System.Diagnostics;
using RestoreGrpc.Client;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// Cost of tracing + metrics on the unary path. Two server processes run side by side: one with telemetry off
/// (<c>Restore:Telemetry:Enabled=false</c>), one with it on (every span recorded and exported by OTLP to a real
/// receiver, metrics collected, /metrics scraped after every call). Calls alternate between them one at a time, so
/// the load of a shared machine hits both alike; separate processes because OpenTelemetry's listeners are
/// process-wide. The overhead is the median of the paired time ratios (on / off − 1).
/// </summary>
internal static class TelemetryOverhead
{
    public sealed record Result(int Pairs, double OffMedian, double OnMedian, double PairedOverhead, double OffImagesPerSecond, double OnImagesPerSecond);

    /// <param name="control">Both servers with telemetry off (an A/A run): what the harness reads as "overhead" when there is none.</param>
    public static async Task<Result> MeasureAsync(string serverDll, string modelsDirectory, string imagePath, string model, int threads, int pairs, Uri otlpEndpoint, bool control)
    {
        byte[] image = await File.ReadAllBytesAsync(imagePath);
        string[] common =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Restore:Models:Directory={modelsDirectory}",
            $"--Restore:Models:DefaultModel={model}",
            $"--Restore:Models:IntraOpThreads={threads}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        ];
        await using ServerProcess off = await ServerProcess.StartAsync(serverDll, [.. common, "--Restore:Telemetry:Enabled=false"]);
        await using ServerProcess on = await ServerProcess.StartAsync(
            serverDll,
            control
                ? [.. common, "--Restore:Telemetry:Enabled=false"]
                : [.. common, "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Metrics:Url=http://127.0.0.1:0", $"--OTEL_EXPORTER_OTLP_ENDPOINT={otlpEndpoint}"]);
        using var offClient = new RestoreClient(new RestoreClientOptions { Address = off.Address });
        using var onClient = new RestoreClient(new RestoreClientOptions { Address = on.Address });
        using var http = new HttpClient();
        var options = new RestoreOptions { Model = model };
        await offClient.RestoreAsync(image, options); // warm-up both
        await onClient.RestoreAsync(image, options);

        var offSeconds = new List<double>(pairs);
        var onSeconds = new List<double>(pairs);
        for (int i = 0; i < pairs; i++)
        {
            // Alternate which goes first, so neither always follows the other.
            bool onFirst = i % 2 == 1;
            for (int k = 0; k < 2; k++)
            {
                bool isOn = (k == 0) == onFirst;
                long started = Stopwatch.GetTimestamp();
                await (isOn ? onClient : offClient).RestoreAsync(image, options);
                (isOn ? onSeconds : offSeconds).Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }

            if (on.MetricsAddress is { } metrics)
            {
                _ = await http.GetStringAsync(metrics);
            }
        }

        double paired = Percentiles.Median(offSeconds.Zip(onSeconds, (a, b) => (b / a) - 1).ToList());
        return new Result(pairs, Percentiles.Median(offSeconds), Percentiles.Median(onSeconds), paired, pairs / offSeconds.Sum(), pairs / onSeconds.Sum());
    }


    /// <summary>The server as a child process; its addresses read from its startup log.</summary>
    private sealed class ServerProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private ServerProcess(Process process, Uri address, Uri? metrics)
        {
            _process = process;
            Address = address;
            MetricsAddress = metrics;
        }

        public Uri Address { get; }

        public Uri? MetricsAddress { get; }

        public static async Task<ServerProcess> StartAsync(string serverDll, string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(serverDll);
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server");
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            var listening = new List<Uri>();
            // Kestrel binds configured endpoints in key order: Grpc, then Metrics.
            bool metrics = args.Any(a => a.StartsWith("--Kestrel:Endpoints:Metrics:", StringComparison.Ordinal));
            while (listening.Count < (metrics ? 2 : 1) && await process.StandardOutput.ReadLineAsync() is { } line)
            {
                const string Marker = "Now listening on: ";
                int at = line.IndexOf(Marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    listening.Add(new Uri(line[(at + Marker.Length)..].Trim()));
                }
            }

            if (listening.Count == 0)
            {
                throw new InvalidOperationException("the server process did not report its address");
            }

            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            return new ServerProcess(process, listening[0], metrics ? new Uri(listening[^1], "/metrics") : null);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
