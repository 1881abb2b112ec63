using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RestoreGrpc.Core.Telemetry;
using RestoreGrpc.Server.Hosting;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// Wires OpenTelemetry into the host: the core's spans under ASP.NET Core's server span, the core's, the host's, the
/// runtime's and the process's metrics (histograms with explicit buckets, <see cref="HistogramBuckets"/>), logs with
/// trace ids; OTLP export of all three only when an <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> is set, and the Prometheus
/// scrape endpoint <c>/metrics</c> on the Kestrel endpoint named <see cref="MetricsEndpoint.Name"/>.
/// </summary>
public static partial class TelemetryRegistration
{
    /// <summary>Service name when <c>OTEL_SERVICE_NAME</c> is not set.</summary>
    public const string DefaultServiceName = "restoregrpc-server";

    private const string MetricsPath = "/metrics";

    private static readonly string[] OtlpEndpointKeys =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    ];

    /// <summary>Registers telemetry as <c>Restore:Telemetry</c> and the <c>OTEL_*</c> settings say.</summary>
    public static void AddRestoreTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRestoreOptions<TelemetryOptions>(builder.Configuration, TelemetryOptions.Section);
        var metricsEndpoint = new MetricsEndpoint();
        builder.Services.AddSingleton(metricsEndpoint);
        builder.WebHost.ConfigureKestrel((context, kestrel) => kestrel
            .Configure(context.Configuration.GetSection("Kestrel"), reloadOnChange: false)
            .Endpoint(MetricsEndpoint.Name, endpoint =>
            {
                if (endpoint.ConfigSection["Protocols"] is null)
                {
                    endpoint.ListenOptions.Protocols = HttpProtocols.Http1;
                }

                metricsEndpoint.Listen = endpoint.ListenOptions;
                metricsEndpoint.IsHttps = endpoint.IsHttps;
            }));

        if (!Enabled(builder.Configuration))
        {
            return;
        }

        string serviceName = builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured : DefaultServiceName;
        IOpenTelemetryBuilder telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddMeter(RestoreTelemetry.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddHistogramBuckets()
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
    }

    /// <summary>Maps <c>/metrics</c> and logs what is collected and where it goes.</summary>
    public static void MapRestoreTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TelemetryRegistration).FullName!);
        if (!Enabled(app.Configuration))
        {
            LogDisabled(logger);
            return;
        }

        app.MapPrometheusScrapingEndpoint(MetricsPath);
        // Services are resolved once the host has started, after the options were validated.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            IDisposable queue = ServerMetrics.Observe(app.Services.GetRequiredService<RestoreGrpc.Core.Scheduling.DynamicBatcher>());
            app.Lifetime.ApplicationStopped.Register(queue.Dispose);
            IDisposable memory = ServerMetrics.Observe(app.Services.GetRequiredService<RestoreGrpc.Core.Memory.MemoryBudget>());
            app.Lifetime.ApplicationStopped.Register(memory.Dispose);
            string otlp = OtlpEndpoint(app.Configuration) ?? "off (OTEL_EXPORTER_OTLP_ENDPOINT is not set)";
            LogOtlp(logger, otlp);
            if (app.Services.GetRequiredService<MetricsEndpoint>().Listen is null)
            {
                LogNoScrapeEndpoint(logger);
            }
            else
            {
                Uri scrape = app.MetricsAddress();
                LogScrapeEndpoint(logger, scrape);
            }

            LogGpus(logger, ServerMetrics.GpuCount);
        });
    }

    /// <summary>The URL serving <c>/metrics</c> once started (the real port when started on port 0).</summary>
    public static Uri MetricsAddress(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ListenOptions listen = app.Services.GetRequiredService<MetricsEndpoint>().Listen
            ?? throw new InvalidOperationException($"no metrics endpoint: set Kestrel:Endpoints:{MetricsEndpoint.Name}:Url");
        string scheme = app.Services.GetRequiredService<MetricsEndpoint>().IsHttps ? Uri.UriSchemeHttps : Uri.UriSchemeHttp;
        return new Uri($"{scheme}://{listen.IPEndPoint}{MetricsPath}");
    }

    /// <summary>Whether OpenTelemetry is wired at all: decided while the host is composed, from the key the bound
    /// <see cref="TelemetryOptions"/> validates at start.</summary>
    private static bool Enabled(IConfiguration configuration) =>
        configuration.GetValue(TelemetryOptions.Section + ":" + nameof(TelemetryOptions.Enabled), defaultValue: true);

    private static string? OtlpEndpoint(IConfiguration configuration) =>
        OtlpEndpointKeys.Select(key => configuration[key]).FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Telemetry: OTLP export {OtlpEndpoint}")]
    private static partial void LogOtlp(ILogger logger, string otlpEndpoint);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Telemetry: GPU metrics for {Count} device(s) through NVML")]
    private static partial void LogGpus(ILogger logger, int count);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Telemetry is off (Restore:Telemetry:Enabled=false)")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Telemetry: Prometheus scrapes {MetricsUrl}")]
    private static partial void LogScrapeEndpoint(ILogger logger, Uri metricsUrl);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Telemetry: no Prometheus scrape endpoint (set Kestrel:Endpoints:Metrics:Url to serve /metrics)")]
    private static partial void LogNoScrapeEndpoint(ILogger logger);
}
