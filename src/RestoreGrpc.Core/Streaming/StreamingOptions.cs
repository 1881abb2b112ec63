namespace RestoreGrpc.Core.Streaming;

/// <summary>Limits of tile streaming (section <c>Restore:Streaming</c>).</summary>
public sealed class StreamingOptions
{
    /// <summary>Tiles a stream may have received and not yet sent back: bounds the job's memory.</summary>
    public int Credit { get; set; } = 4;

    /// <summary>How long a job stays resumable after its stream ends, in seconds.</summary>
    public double ResumeWindowSeconds { get; set; } = 600;

    /// <summary>Streams open at once; beyond it new streams are refused. As many detached jobs are kept resumable
    /// (the longest detached goes first).</summary>
    public int MaxJobs { get; set; } = 64;

    /// <summary>Streams one client (its tenant, else its peer address) may have open at once.</summary>
    public int MaxJobsPerClient { get; set; } = 16;

    /// <summary>How long a job that never sent a tile back stays resumable after its stream ends, in seconds: it has
    /// nothing to resume, and a header alone must not hold a place for the whole resume window.</summary>
    public double UnstartedJobWindowSeconds { get; set; } = 10;

    /// <summary>Largest input tile message (its window's raw pixels); bounds the tile size so messages stay far
    /// below gRPC's 4 MB default.</summary>
    public int MaxTileBytes { get; set; } = 3 * 1024 * 1024;

    /// <summary>Largest output message: output tiles are sent in bands of rows up to this size.</summary>
    public int OutputPartBytes { get; set; } = 1024 * 1024;

    public TimeSpan ResumeWindow => TimeSpan.FromSeconds(Math.Max(1, ResumeWindowSeconds));

    public TimeSpan UnstartedJobWindow => TimeSpan.FromSeconds(UnstartedJobWindowSeconds);
}
