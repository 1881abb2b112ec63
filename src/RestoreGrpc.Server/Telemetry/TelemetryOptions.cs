namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// <c>Restore:Telemetry</c>. Exporting by OTLP is configured by the standard <c>OTEL_*</c> variables
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_SERVICE_NAME</c>, …): with no
/// endpoint set, no traces or logs are collected or exported.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Restore:Telemetry";

    /// <summary>False turns OpenTelemetry off entirely: no spans, no metrics, no /metrics.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// An extra HTTP/1.1 listen address serving the Prometheus scrape endpoint <c>/metrics</c> (e.g.
    /// <c>http://0.0.0.0:9464</c>); the gRPC addresses speak HTTP/2 only, which Prometheus cannot scrape. Unset: no
    /// scrape endpoint.
    /// </summary>
    public string? MetricsUrl { get; set; }
}
