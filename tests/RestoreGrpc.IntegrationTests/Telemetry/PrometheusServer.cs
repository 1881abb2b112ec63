using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>
/// A real Prometheus (Debian package <c>prometheus</c>; .ci/run installs it) on loopback, scraping one target every
/// second with a generated configuration, its data in a temporary folder.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly HttpClient _http;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log;

    private PrometheusServer(Process process, TempDirectory directory, Uri api, System.Collections.Concurrent.ConcurrentQueue<string> log)
    {
        _process = process;
        _directory = directory;
        _http = new HttpClient { BaseAddress = api };
        _log = log;
    }

    /// <summary>What Prometheus says about its scrape target and its last log lines, for failure messages.</summary>
    public async Task<string> DescribeAsync(CancellationToken cancellationToken)
    {
        string targets;
        try
        {
            targets = await _http.GetStringAsync(new Uri("/api/v1/targets", UriKind.Relative), cancellationToken);
        }
        catch (HttpRequestException e)
        {
            targets = $"(targets API unreachable: {e.Message})";
        }

        return $"exited: {_process.HasExited}; targets: {targets}; log:\n{string.Join('\n', _log)}";
    }

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (a /metrics URL); skips (fails under CI) without it.</summary>
    public static PrometheusServer Start(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        string executable = RequiredTool.Find("prometheus", "Debian package prometheus: apt-get install prometheus (.ci/run does)", "/usr/bin/prometheus");
        var directory = new TempDirectory();
        string config = directory.Combine("prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: restoregrpc
                metrics_path: {target.AbsolutePath}
                static_configs:
                  - targets: ['{target.Authority}']
            """);

        // Prometheus cannot report a port-0 binding back: take a free port.
        int port = LoopbackPorts.Free();
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            $"--config.file={config}",
            $"--storage.tsdb.path={directory.Combine("data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Keep(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is { } line)
            {
                log.Enqueue(line);
                while (log.Count > 20 && log.TryDequeue(out _))
                {
                }
            }
        }

        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), log);
    }

    /// <summary>Polls an instant query until it returns a sample of at least <paramref name="atLeast"/> (at most 60 s); the last value, or null.</summary>
    public async Task<double?> WaitForValueAsync(string query, double atLeast, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        double? value = null;
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(60) && !_process.HasExited)
        {
            value = await QueryAsync(query, cancellationToken);
            if (value >= atLeast)
            {
                return value;
            }

            await Task.Delay(500, cancellationToken);
        }

        return value;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private async Task<double?> QueryAsync(string query, CancellationToken cancellationToken)
    {
        try
        {
            using HttpResponseMessage response = await _http.GetAsync(new Uri($"/api/v1/query?query={Uri.EscapeDataString(query)}", UriKind.Relative), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            JsonElement result = json.RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 0
                ? null
                : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }
}
