using System.ComponentModel.DataAnnotations;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Kestrel's connection and header limits, set on purpose rather than inherited (section
/// <c>Restore:Kestrel</c>; the README's "Kestrel limits" says why each value).</summary>
public sealed class KestrelLimitsOptions
{
    public const string Section = "Restore:Kestrel";

    /// <summary>Concurrent HTTP/2 streams (calls) one connection may open; more wait in the client.</summary>
    [Range(1, 10_000)]
    public int MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>All request headers of one call together (metadata, a JWT, ...).</summary>
    [Range(4096, 1024 * 1024)]
    public int MaxRequestHeadersTotalBytes { get; set; } = 32 * 1024;

    /// <summary>One header field (HPACK-decoded), e.g. an <c>authorization: Bearer</c> token.</summary>
    [Range(4096, 1024 * 1024)]
    public int MaxRequestHeaderFieldBytes { get; set; } = 16 * 1024;

    /// <summary>A connection with no call open is closed after this long.</summary>
    [Range(1, 86_400)]
    public double KeepAliveTimeoutSeconds { get; set; } = 130;

    /// <summary>A call's headers must have arrived this long after the connection or previous call started.</summary>
    [Range(1, 3600)]
    public double RequestHeadersTimeoutSeconds { get; set; } = 10;

    /// <summary>Unary request bodies slower than this (after <see cref="MinRequestBodyGraceSeconds"/>) are cut off;
    /// gRPC turns the check off for client and duplex streams, whose pauses are legitimate (they have the idle timeout).</summary>
    [Range(0, 1_000_000_000)]
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    [Range(1, 3600)]
    public double MinRequestBodyGraceSeconds { get; set; } = 5;

    /// <summary>Open connections at once; 0 = unbounded.</summary>
    [Range(0, 1_000_000)]
    public long MaxConnections { get; set; }
}
