using Microsoft.AspNetCore.Builder;
using RestoreGrpc.Client;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.Server.Telemetry;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests;

/// <summary>
/// The real server (Kestrel, HTTP/2) on 127.0.0.1 port 0, serving the shared models when present (built-in
/// resampler otherwise), plus an SDK client bound to it.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new RestoreClient(new RestoreClientOptions { Address = address, MaxAttempts = 1 });
    }

    public Uri Address { get; }

    public RestoreClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Settings for a gRPC endpoint and the HTTP/1.1 metrics endpoint (Kestrel endpoints), both on port 0.</summary>
    public static readonly string[] WithMetrics = ["--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Metrics:Url=http://127.0.0.1:0"];

    /// <summary>The Prometheus scrape URL, when started with a <c>Kestrel:Endpoints:Metrics</c> endpoint (<see cref="WithMetrics"/>).</summary>
    public Uri MetricsAddress => _app.MetricsAddress();

    /// <summary>Settings for a gRPC endpoint (HTTP/2) and the web page's endpoint (HTTP/1.1), both on port 0.</summary>
    public static readonly string[] WithWebEndpoint = ["--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Web:Url=http://127.0.0.1:0"];

    /// <summary>The web page's URL, when started with a <c>Kestrel:Endpoints:Web</c> endpoint (<see cref="WithWebEndpoint"/>).</summary>
    public Uri WebAddress => _app.WebAddress();

    public static Task<LoopbackServer> StartAsync(params string[] settings) => StartAsync(configure: null, settings);

    /// <param name="configure">Extra host configuration (e.g. a capturing logger), applied before the server's own.</param>
    public static Task<LoopbackServer> StartAsync(Action<WebApplicationBuilder>? configure, params string[] settings) =>
        StartAsync(configure, map: null, settings);

    /// <param name="configure">Extra host configuration (e.g. a capturing logger), applied before the server's own.</param>
    /// <param name="map">Extra endpoints (test-only services), mapped after the server's own, before it starts.</param>
    public static async Task<LoopbackServer> StartAsync(Action<WebApplicationBuilder>? configure, Action<WebApplication>? map, params string[] settings)
    {
        string models = SharedAssets.Directory is { } shared ? Path.Combine(shared, "models") : Path.Combine(Path.GetTempPath(), "restoregrpc-no-models");
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Restore:Models:Directory={models}",
            "--Restore:Models:ExecutionProvider=Cpu",
            // Full-tile warm-up costs ~5 s per model on this CPU; tests start many servers.
            "--Restore:Models:WarmUp=Minimal",
            "--Logging:LogLevel:Default=Warning",
            // The GPEN-contract stand-in (an unsharp mask, not a trained restorer) exercises the face path.
            "--Restore:Models:Entries:10:Name=face-standin-512",
            "--Restore:Models:Entries:10:File=face-standin-512.onnx",
            "--Restore:Models:Entries:10:Task=FaceRestoration",
            "--Restore:Models:Entries:10:InputRange=MinusOneToOne",
            "--Restore:Models:Entries:10:FixedSize=512",
            .. settings,
        ];
        WebApplication app = RestoreServer.Build(args, configure);
        map?.Invoke(app);
        await app.StartAsync();
        return new LoopbackServer(app, app.ListeningAddress());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
