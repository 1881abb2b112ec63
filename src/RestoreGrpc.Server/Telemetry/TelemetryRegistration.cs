using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RestoreGrpc.Core.Telemetry;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// Wires OpenTelemetry into the host: the core's spans under ASP.NET Core's server span, the core's and the host's
/// metrics, logs with trace ids; OTLP export of all three only when an <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> is set, and
/// the Prometheus scrape endpoint <c>/metrics</c> on its own HTTP/1.1 address (<see cref="TelemetryOptions.MetricsUrl"/>).
/// </summary>
public static partial class TelemetryRegistration
{
    /// <summary>Service name when <c>OTEL_SERVICE_NAME</c> is not set.</summary>
    public const string DefaultServiceName = "restoregrpc-server";

    private static readonly string[] OtlpEndpointKeys =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    ];

    /// <summary>Registers telemetry as <c>Restore:Telemetry</c> and the <c>OTEL_*</c> settings say.</summary>
    public static TelemetryOptions AddRestoreTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        TelemetryOptions options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new();
        if (!options.Enabled)
        {
            return options;
        }

        string serviceName = builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured : DefaultServiceName;
        IOpenTelemetryBuilder telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddMeter(RestoreTelemetry.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter());

        if (OtlpEndpoint(builder.Configuration) is not null)
        {
            telemetry.WithTracing(tracing => tracing
                    .AddSource(RestoreTelemetry.SourceName)
                    .AddAspNetCoreInstrumentation(aspNetCore =>
                    {
                        aspNetCore.Filter = context => !context.Request.Path.StartsWithSegments(MetricsPath, StringComparison.Ordinal);
                        aspNetCore.EnrichWithHttpResponse = ServerSpanEnricher.Enrich;
                    }))
                .WithLogging(configureBuilder: null, configureOptions: logging =>
                {
                    logging.IncludeFormattedMessage = true;
                    logging.IncludeScopes = true;
                })
                .UseOtlpExporter();
        }

        if (!string.IsNullOrWhiteSpace(options.MetricsUrl))
        {
            ListenWithMetricsEndpoint(builder, options.MetricsUrl);
        }

        return options;
    }

    /// <summary>Maps <c>/metrics</c> and logs what is collected and where it goes.</summary>
    public static void MapRestoreTelemetry(this WebApplication app, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TelemetryRegistration).FullName!);
        if (!options.Enabled)
        {
            LogDisabled(logger);
            return;
        }

        app.MapPrometheusScrapingEndpoint(MetricsPath);
        IDisposable queue = ServerMetrics.Observe(app.Services.GetRequiredService<RestoreGrpc.Core.Scheduling.DynamicBatcher>());
        app.Lifetime.ApplicationStopped.Register(queue.Dispose);
        IDisposable memory = ServerMetrics.Observe(app.Services.GetRequiredService<RestoreGrpc.Core.Memory.MemoryBudget>());
        app.Lifetime.ApplicationStopped.Register(memory.Dispose);
        string? otlp = OtlpEndpoint(app.Configuration);
        LogConfigured(logger, otlp ?? "(none: OTEL_EXPORTER_OTLP_ENDPOINT is not set)", options.MetricsUrl ?? "(none: Restore:Telemetry:MetricsUrl is not set)");
        int gpus = ServerMetrics.GpuCount;
        LogGpus(logger, gpus);
    }

    /// <summary>The address serving <c>/metrics</c> once started (the real port when started on port 0).</summary>
    public static Uri MetricsAddress(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        IServerAddressesFeature addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("the server exposes no addresses");
        // The metrics endpoint is bound last (see ListenWithMetricsEndpoint).
        return new Uri(new Uri(addresses.Addresses.Last()), MetricsPath);
    }

    private const string MetricsPath = "/metrics";

    private static string? OtlpEndpoint(IConfiguration configuration) =>
        OtlpEndpointKeys.Select(key => configuration[key]).FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));

    /// <summary>
    /// Kestrel cannot serve HTTP/1.1 and prior-knowledge HTTP/2 on one cleartext port, and endpoints set in code replace
    /// <c>Urls</c>; so every <c>Urls</c> address is bound here explicitly (HTTP/2), then the metrics address (HTTP/1.1).
    /// </summary>
    private static void ListenWithMetricsEndpoint(WebApplicationBuilder builder, string metricsUrl)
    {
        string[] urls = (builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "http://localhost:5000")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Kestrel logs once that these explicit endpoints replace the Urls setting: they are the same addresses.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (string url in urls)
            {
                Listen(kestrel, url, HttpProtocols.Http2);
            }

            Listen(kestrel, metricsUrl, HttpProtocols.Http1);
        });
    }

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols)
    {
        BindingAddress address = BindingAddress.Parse(url);
        if (address.Scheme != Uri.UriSchemeHttp)
        {
            throw new InvalidOperationException($"{url}: with Restore:Telemetry:MetricsUrl set, listen addresses must be http:// (configure Kestrel endpoints for TLS)");
        }

        void Configure(ListenOptions listen) => listen.Protocols = protocols;
        if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(address.Port, Configure);
        }
        else if (IPAddress.TryParse(address.Host, out IPAddress? ip))
        {
            kestrel.Listen(ip, address.Port, Configure);
        }
        else
        {
            kestrel.ListenAnyIP(address.Port, Configure); // "*", "+", "0.0.0.0" or a host name
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Telemetry: OTLP export to {OtlpEndpoint}; Prometheus scrape endpoint at {MetricsUrl}/metrics")]
    private static partial void LogConfigured(ILogger logger, string otlpEndpoint, string metricsUrl);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Telemetry: GPU metrics for {Count} device(s) through NVML")]
    private static partial void LogGpus(ILogger logger, int count);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Telemetry is off (Restore:Telemetry:Enabled=false)")]
    private static partial void LogDisabled(ILogger logger);
}
