using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RestoreGrpc.Client;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Benchmarks;

/// <summary>The server in its own process, so its peak resident memory (VmHWM) belongs to one workload alone.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The server's /metrics, when started with <c>withMetrics</c>.</summary>
    public Uri? MetricsAddress { get; private init; }

    public static Task<ServerProcess> StartAsync(string modelsDirectory, string model, int threads) =>
        StartAsync(Path.Combine(AppContext.BaseDirectory, "RestoreGrpc.Server.dll"), modelsDirectory, model, threads, []);

    /// <param name="server">The server's RestoreGrpc.Server.dll (another build's, to compare builds).</param>
    /// <param name="modelsDirectory">Model folder.</param>
    /// <param name="model">Default model; started when it reports ready.</param>
    /// <param name="threads">ONNX Runtime threads per run.</param>
    /// <param name="extraArguments">More server arguments (catalog entries, limits).</param>
    /// <param name="withMetrics">Also serve /metrics (Kestrel endpoints Grpc and Metrics, both on loopback).</param>
    public static async Task<ServerProcess> StartAsync(string server, string modelsDirectory, string model, int threads, IEnumerable<string> extraArguments, bool withMetrics = false)
    {
        int port = FreePort();
        int metricsPort = withMetrics ? FreePort() : 0;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                server,
                "--urls", $"http://127.0.0.1:{port}",
                $"--Restore:Models:Directory={modelsDirectory}",
                $"--Restore:Models:DefaultModel={model}",
                $"--Restore:Models:IntraOpThreads={threads}",
                "--Restore:Models:WarmUp=Minimal",
                "--Logging:LogLevel:Default=Warning",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (withMetrics)
        {
            start.ArgumentList.Add($"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{port}");
            start.ArgumentList.Add($"--Kestrel:Endpoints:Metrics:Url=http://127.0.0.1:{metricsPort}");
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"[server] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var instance = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"))
        {
            MetricsAddress = withMetrics ? new Uri($"http://127.0.0.1:{metricsPort}/metrics") : null,
        };
        await instance.WaitUntilReadyAsync(model);
        return instance;
    }

    /// <summary>Peak resident set size so far, from /proc/PID/status (VmHWM), in bytes.</summary>
    public long PeakResidentBytes() => Status("VmHWM:");

    /// <summary>Resident set size now, from /proc/PID/status (VmRSS), in bytes.</summary>
    public long ResidentBytes() => Status("VmRSS:");

    private long Status(string field)
    {
        foreach (string line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no {field} in /proc status");
    }

    /// <summary>A crash: SIGKILL, no drain.</summary>
    public void Kill() => _process.Kill();

    /// <summary>A stop as Kubernetes does it: SIGTERM, and the server drains.</summary>
    public void Terminate()
    {
        using Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
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

    private async Task WaitUntilReadyAsync(string model)
    {
        using var client = new RestoreClient(new RestoreClientOptions { Address = Address, MaxAttempts = 1 });
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            try
            {
                ListModelsResponse catalog = await client.ListModelsAsync();
                if (catalog.Models.Any(m => m.Name == model && m.State == ModelState.Ready))
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the server did not get {model} ready within 2 minutes");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
