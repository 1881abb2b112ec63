namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// <c>Restore:Telemetry</c>. Exporting by OTLP is configured by the standard <c>OTEL_*</c> variables
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_SERVICE_NAME</c>, …): with no
/// endpoint set, no traces or logs are collected or exported. The Prometheus scrape endpoint is a Kestrel endpoint
/// (<see cref="MetricsEndpoint"/>).
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Restore:Telemetry";

    /// <summary>False turns OpenTelemetry off entirely: no spans, no metrics, no /metrics.</summary>
    public bool Enabled { get; set; } = true;
}
