using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// The Kestrel endpoint named <see cref="Name"/> (<c>Kestrel:Endpoints:Metrics:Url</c>): HTTP/1.1 unless its own
/// <c>Protocols</c> says otherwise, so Prometheus can scrape <c>/metrics</c> while the gRPC endpoints speak HTTP/2
/// (with or without TLS, as their own Kestrel configuration says).
/// </summary>
public sealed class MetricsEndpoint
{
    public const string Name = "Metrics";

    /// <summary>The endpoint as Kestrel binds it; after start its end point carries the real port. Null when no
    /// metrics endpoint is configured.</summary>
    public ListenOptions? Listen { get; internal set; }

    /// <summary>Whether the endpoint's URL is https.</summary>
    public bool IsHttps { get; internal set; }
}
