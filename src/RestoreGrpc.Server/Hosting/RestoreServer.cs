using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RestoreGrpc.Server.Draining;
using RestoreGrpc.Server.Health;
using RestoreGrpc.Server.Security;
using RestoreGrpc.Server.Services;
using RestoreGrpc.Server.Telemetry;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Builds the server: Kestrel on HTTP/2, the restoration service, health, reflection.</summary>
public static class RestoreServer
{
    /// <param name="args">Command-line arguments; any configuration key can be given as <c>--Key=value</c>.</param>
    /// <param name="configure">Extra configuration for tests and embedding hosts, applied last.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // A model that is still loading makes the health check Unhealthy (NOT_SERVING, as it should), which the
        // health-check service would log as `fail:` on every probe during start-up. Loading is not a failure: the
        // catalog logs each load, and a real load failure, itself (ModelCatalog, event 1102 at Error).
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical);
        configure?.Invoke(builder);

        // gRPC without TLS needs HTTP/2 prior knowledge; https and web endpoints get HTTP/1.1 too (WebPageHosting).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
        // HTTP/2 pings keep minutes-long streams alive through idle-timeout proxies and find dead peers.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<RestoreServerOptions>>((kestrel, server) =>
        {
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(server.Value.KeepAlivePingSeconds);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(server.Value.KeepAlivePingTimeoutSeconds);
        });
        builder.AddRestoreSecurity();

        // A relative model folder means "relative to where the server was started", like any CLI path (the project
        // file keeps `dotnet run` in the caller's directory too), never the content root (the binaries' folder).
        builder.Services.AddRestoreCore(builder.Configuration, Environment.CurrentDirectory);
        builder.Services.AddRestoreMemory(builder.Configuration);
        builder.AddRestoreTelemetry();
        builder.AddRestoreWebPage(); // after telemetry: it adds hooks to the Kestrel configuration loader telemetry creates
        builder.Services.AddOptions<GrpcServiceOptions>().Configure<IOptions<RestoreServerOptions>>((grpc, server) =>
        {
            grpc.MaxReceiveMessageSize = server.Value.MaxReceiveMessageBytes;
            grpc.MaxSendMessageSize = server.Value.MaxSendMessageBytes;
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<TelemetryInterceptor>(); // outermost: sees the status ErrorMappingInterceptor maps
            grpc.Interceptors.Add<ErrorMappingInterceptor>();
            grpc.Interceptors.Add<DrainInterceptor>(); // innermost: refused calls are counted and mapped like others
            grpc.Interceptors.Add<ModelHealthInterceptor>(); // per-model grpc.health.v1 names
        });
        builder.Services.AddRestoreDrain();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(health =>
            {
                // Liveness: SERVING while the process answers. Readiness waits for the default model.
                health.Services.Clear();
                health.Services.Map(HealthServices.Liveness, check => check.Tags.Contains(HealthServices.LiveTag));
                health.Services.Map(HealthServices.Readiness, check => check.Tags.Contains(HealthServices.ReadyTag));
            })
            .AddCheck("process", () => HealthCheckResult.Healthy("answering"), tags: [HealthServices.LiveTag])
            .AddCheck<ModelCatalogHealthCheck>("models", tags: [HealthServices.ReadyTag])
            .AddCheck<DrainHealthCheck>("drain", tags: [HealthServices.LiveTag, HealthServices.ReadyTag]);
        // grpc.health.v1 Watch (the SDKs' health-aware balancing) reads what the publisher last published: by
        // default first after 5 s (SERVICE_UNKNOWN until then) and then every 30 s. Publish at once and every 2 s so
        // a started instance and a model that became ready are seen promptly (the checks are cheap).
        builder.Services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.Zero;
            publisher.Period = TimeSpan.FromSeconds(2);
        });
        builder.Services.AddHostedService<ModelLoaderService>();
        builder.Services.AddHostedService<CatalogConfigurationWatcher>();

        WebApplication app = builder.Build();
        app.UseRestoreSecurity();
        app.UseRestoreWebPage();
        AuthOptions auth = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        app.MapGrpcService<RestoreGrpcService>().RequireRestorePolicy(app.Services, RestorePolicies.User);
        // Its own mapping, so that authentication can require the admin role of it alone.
        app.MapGrpcService<ModelAdminGrpcService>().RequireRestorePolicy(app.Services, RestorePolicies.Admin);
        app.MapGrpcHealthChecksService().RequireRestorePolicy(app.Services, RestorePolicies.User, auth.AllowAnonymousHealth);
        app.MapGrpcReflectionService().RequireRestorePolicy(app.Services, RestorePolicies.User, auth.AllowAnonymousReflection);
        app.MapRestoreTelemetry();
        return app;
    }

    /// <summary>The first gRPC address a started server listens on (the real port when it was started on port 0);
    /// the metrics endpoint is not one, nor is the web endpoint unless it is the only other one.</summary>
    public static Uri ListeningAddress(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        IServerAddressesFeature addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("the server exposes no addresses");
        int? metricsPort = app.Services.GetRequiredService<MetricsEndpoint>().Listen?.IPEndPoint?.Port;
        int? webPort = app.Services.GetRequiredService<WebEndpoint>().Listen?.IPEndPoint?.Port;
        List<Uri> candidates = addresses.Addresses.Select(address => new Uri(address)).Where(address => address.Port != metricsPort).ToList();
        return candidates.FirstOrDefault(address => address.Port != webPort) ?? candidates.First();
    }
}
