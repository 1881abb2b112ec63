using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using RestoreGrpc.Server.Health;
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
        configure?.Invoke(builder);

        // gRPC without TLS needs HTTP/2 prior knowledge on every endpoint.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));

        RestoreServerOptions serverOptions = builder.Configuration.GetSection(RestoreServerOptions.Section).Get<RestoreServerOptions>() ?? new();
        // A relative model folder means "relative to where the server was started", like any CLI path.
        builder.Services.AddRestoreCore(builder.Configuration, Environment.CurrentDirectory);
        builder.Services.AddRestoreMemory(builder.Configuration);
        TelemetryOptions telemetry = builder.AddRestoreTelemetry();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = serverOptions.MaxReceiveMessageBytes;
            grpc.MaxSendMessageSize = serverOptions.MaxSendMessageBytes;
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<TelemetryInterceptor>(); // outermost: sees the status ErrorMappingInterceptor maps
            grpc.Interceptors.Add<ErrorMappingInterceptor>();
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck<ModelCatalogHealthCheck>("models");
        builder.Services.AddHostedService<ModelLoaderService>();

        WebApplication app = builder.Build();
        app.MapGrpcService<RestoreGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapRestoreTelemetry(telemetry);
        app.MapGet("/", () => "RestoreGrpc: a gRPC server (HTTP/2). Use the restore CLI, an SDK, or grpcurl with reflection.");
        return app;
    }

    /// <summary>The first address a started server listens on (the real port when it was started on port 0).</summary>
    public static Uri ListeningAddress(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        IServerAddressesFeature addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("the server exposes no addresses");
        return new Uri(addresses.Addresses.First());
    }
}
