using System.ComponentModel.DataAnnotations;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Timeouts and plan caps that keep a silent, slow or absurd caller from holding the server (section
/// <c>Restore:CallLimits</c>). Every value is in seconds or counts; 0 turns a timeout off.</summary>
public sealed class CallLimitsOptions
{
    public const string Section = "Restore:CallLimits";

    /// <summary>A RestoreStream whose header has not arrived this long after the call opened ends with
    /// DEADLINE_EXCEEDED.</summary>
    [Range(0, 86_400)]
    public double HeaderTimeoutSeconds { get; set; } = 10;

    /// <summary>A stream waiting for the client's next tile (nothing in flight on the server) ends with
    /// DEADLINE_EXCEEDED after this long; the job stays resumable.</summary>
    [Range(0, 86_400)]
    public double IdleTimeoutSeconds { get; set; } = 120;

    /// <summary>How long one RestoreStream response message may wait for a client that does not read; then the
    /// call is aborted and the stream's tiles freed (the job stays resumable). Also how long any call's response may
    /// still wait for its client after the handler returned (a unary response whole); then that HTTP/2 stream is reset
    /// and Kestrel drops what it buffered (<see cref="ResponseDrainLimit"/>).</summary>
    [Range(0, 86_400)]
    public double WriteTimeoutSeconds { get; set; } = 120;

    /// <summary>Server-side cap on a unary call's duration (the client's deadline applies when shorter); beyond it
    /// DEADLINE_EXCEEDED. Streams are bounded by the idle and write timeouts instead and resume where they stopped.</summary>
    [Range(0, 864_000)]
    public double MaxUnaryCallSeconds { get; set; } = 3600;

    /// <summary>Most tiles one request's plan may have (a 32768² stream at tile 128 has 65,536).</summary>
    [Range(1, int.MaxValue)]
    public int MaxTiles { get; set; } = 65_536;

    /// <summary>Most model pixels computed per image pixel by the tile windows, (tile + 2·margin)² / tile²: a tiny
    /// tile with a wide margin multiplies the work (tile 16, margin 34: 27.6×) and is refused up front.</summary>
    [Range(1, 1000)]
    public double MaxWindowOverhead { get; set; } = 8;

    internal static TimeSpan? Span(double seconds) => seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
}
