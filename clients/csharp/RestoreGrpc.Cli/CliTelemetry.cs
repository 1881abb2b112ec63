using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli;

/// <summary>
/// The CLI's traces: one root span per file (source <see cref="SourceName"/>), unary or streamed; under it the gRPC
/// client span of each call (Grpc.Net.Client's activity through OpenTelemetry.Instrumentation.GrpcNetClient, named
/// and tagged by the RPC conventions, <see cref="RestoreClientTracing"/>), and the server's spans under that.
/// Exported by OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>) is
/// set; the other <c>OTEL_*</c> variables apply as usual.
/// </summary>
internal static class CliTelemetry
{
    public const string SourceName = "RestoreGrpc.Cli";

    public const string DefaultServiceName = "restore-cli";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>A tracer provider exporting by OTLP, or null when no OTLP endpoint is configured.</summary>
    public static TracerProvider? StartExporting()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
            && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")))
        {
            return null;
        }

        string serviceName = Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } name ? name : DefaultServiceName;
        return Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .AddRestoreClientTracing()
            .AddOtlpExporter()
            .Build();
    }

    /// <summary>The CLI's sources and the gRPC client instrumentation, with the conventions applied ahead of the
    /// exporters added after it.</summary>
    public static TracerProviderBuilder AddRestoreClientTracing(this TracerProviderBuilder tracing) => tracing
        .AddSource(SourceName)
        .AddGrpcClientInstrumentation()
        .AddProcessor(new GrpcClientSpanProcessor());

    /// <summary>Starts the root span of one file's restoration (a new trace, whatever is current).</summary>
    public static Activity? StartFile(string path)
    {
        Activity.Current = null;
        Activity? span = Source.StartActivity("restore file", ActivityKind.Internal, parentContext: default);
        span?.SetTag("file.path", path);
        span?.SetTag("file.size", new FileInfo(path) is { Exists: true } info ? info.Length : null);
        return span;
    }
}
