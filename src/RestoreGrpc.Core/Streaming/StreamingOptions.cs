using System.ComponentModel.DataAnnotations;

namespace RestoreGrpc.Core.Streaming;

/// <summary>Limits of tile streaming (section <c>Restore:Streaming</c>).</summary>
public sealed class StreamingOptions
{
    /// <summary>Tiles a stream may have received and not yet sent back: bounds the job's memory.</summary>
    [Range(1, 1024)]
    public int Credit { get; set; } = 4;

    /// <summary>How long a job stays resumable after its stream ends, in seconds.</summary>
    [Range(1, 86_400)]
    public double ResumeWindowSeconds { get; set; } = 600;

    /// <summary>Streams open at once; beyond it new streams are refused. As many detached jobs are kept resumable
    /// (the longest detached goes first).</summary>
    [Range(1, 100_000)]
    public int MaxJobs { get; set; } = 64;

    /// <summary>Streams one client (its tenant, else its peer address) may have open at once.</summary>
    [Range(1, 100_000)]
    public int MaxJobsPerClient { get; set; } = 16;

    /// <summary>How long a job that never sent a tile back stays resumable after its stream ends, in seconds: it has
    /// nothing to resume, and a header alone must not hold a place for the whole resume window.</summary>
    [Range(0.1, 86_400)]
    public double UnstartedJobWindowSeconds { get; set; } = 10;

    /// <summary>Largest input tile message (its window's raw pixels); bounds the tile size so messages stay far
    /// below gRPC's 4 MB default.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxTileBytes { get; set; } = 3 * 1024 * 1024;

    /// <summary>Largest output message: output tiles are sent in bands of rows up to this size.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int OutputPartBytes { get; set; } = 1024 * 1024;

    public TimeSpan ResumeWindow => TimeSpan.FromSeconds(Math.Max(1, ResumeWindowSeconds));

    public TimeSpan UnstartedJobWindow => TimeSpan.FromSeconds(UnstartedJobWindowSeconds);
}
