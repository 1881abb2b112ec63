using System.Diagnostics;
using System.Globalization;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Fleet;

/// <summary>
/// One server instance of a fleet, as its own process (the built server, started as a user would): a gRPC endpoint
/// and a metrics endpoint on 127.0.0.1 port 0, the built-in resampler as its default model (no model files, fast).
/// It can be SIGKILLed (a crash) or SIGTERMed (a drain, as Kubernetes stops a pod).
/// </summary>
internal sealed class FleetServer : IDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(2);
    private readonly ChildProcess _process;

    private FleetServer(ChildProcess process, Uri address, Uri metrics)
    {
        _process = process;
        Address = address;
        MetricsAddress = metrics;
    }

    public Uri Address { get; }

    public Uri MetricsAddress { get; }

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static async Task<FleetServer> StartAsync(double drainSeconds, params string[] settings)
    {
        string server = Checkout.Combine($"src/RestoreGrpc.Server/bin/{Checkout.Configuration}/net10.0/RestoreGrpc.Server.dll");
        string noModels = Path.Combine(Path.GetTempPath(), "restoregrpc-no-models");
        string[] arguments =
        [
            server,
            "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Metrics:Url=http://127.0.0.1:0",
            $"--Restore:Models:Directory={noModels}",
            "--Restore:Models:DefaultModel=builtin-lanczos-x4",
            "--Restore:Models:ExecutionProvider=Cpu",
            "--Restore:Models:DownloadMissing=false",
            string.Create(CultureInfo.InvariantCulture, $"--Restore:Server:DrainSeconds={drainSeconds}"),
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            "--Logging:LogLevel:RestoreGrpc.Server.Draining=Information",
            .. settings,
        ];
        ChildProcess process = ChildProcess.Start("dotnet", arguments, Path.GetTempPath());
        try
        {
            // Kestrel binds the configured endpoints in key order (Grpc, then Metrics) and logs each before this line.
            await process.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), StartLimit).ConfigureAwait(false);
            Uri[] listening = [.. Listening(process.Output)];
            return new FleetServer(process, listening[0], listening[1]);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>A crash: SIGKILL, no drain.</summary>
    public void Kill() => Signal("KILL");

    /// <summary>What Kubernetes sends a pod it stops: SIGTERM, and the server drains.</summary>
    public void Terminate() => Signal("TERM");

    public Task WaitForExitAsync(TimeSpan limit) => _process.WaitForExitAsync(limit);

    /// <summary>Successful Restore calls this instance served, from its Prometheus scrape.</summary>
    public async Task<long> RestoreCountAsync(HttpClient http, CancellationToken cancellationToken)
    {
        string exposition = await http.GetStringAsync(new Uri(MetricsAddress, "/metrics"), cancellationToken).ConfigureAwait(false);
        long count = 0;
        foreach (string line in exposition.Split('\n'))
        {
            if (line.StartsWith("restoregrpc_requests_total{", StringComparison.Ordinal)
                && line.Contains("rpc_method=\"restoregrpc.v1.RestoreService/Restore\"", StringComparison.Ordinal)
                && line.Contains("rpc_status_code=\"OK\"", StringComparison.Ordinal))
            {
                string[] value = line[(line.LastIndexOf('}') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                count += (long)double.Parse(value[0], CultureInfo.InvariantCulture);
            }
        }

        return count;
    }

    /// <summary>
    /// Each instance's <see cref="RestoreCountAsync"/> once every one has served a call (or a minute has passed,
    /// however slowly this machine warms them up): the caller asserts on what it gets.
    /// </summary>
    public static async Task<long[]> WaitUntilEachServedAsync(IReadOnlyList<FleetServer> servers, HttpClient http, CancellationToken cancellationToken)
    {
        long[] served = await Task.WhenAll(servers.Select(s => s.RestoreCountAsync(http, cancellationToken))).ConfigureAwait(false);
        for (var waited = Stopwatch.StartNew(); served.Any(n => n == 0) && waited.Elapsed < TimeSpan.FromSeconds(60);)
        {
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            served = await Task.WhenAll(servers.Select(s => s.RestoreCountAsync(http, cancellationToken))).ConfigureAwait(false);
        }

        return served;
    }

    public void Dispose() => _process.Dispose();

    private static IEnumerable<Uri> Listening(string output)
    {
        const string Marker = "Now listening on: ";
        foreach (string line in output.Split('\n'))
        {
            int at = line.IndexOf(Marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                yield return new Uri(line[(at + Marker.Length)..].Trim());
            }
        }
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run kill");
        kill.WaitForExit();
    }
}
