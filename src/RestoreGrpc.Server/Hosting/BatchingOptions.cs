using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Dynamic batching of tiles and face crops across requests (section <c>Restore:Batching</c>).</summary>
public sealed class BatchingOptions
{
    public const string Section = "Restore:Batching";

    /// <summary>Items (tiles or crops of one shape) per model run.</summary>
    public int MaxBatch { get; set; } = 4;

    /// <summary>How long the first item of a batch waits for others, in milliseconds.</summary>
    public double MaxDelayMs { get; set; } = 5;

    /// <summary>Items waiting at most; beyond it requests are refused with RESOURCE_EXHAUSTED and a retry delay.</summary>
    public int MaxQueuedItems { get; set; } = 256;

    /// <summary>Input megabytes waiting at most.</summary>
    public int MaxQueuedMegabytes { get; set; } = 1024;

    /// <summary>Tiles one request keeps queued or running.</summary>
    public int TilesInFlightPerRequest { get; set; } = 2;

    /// <summary>Interactive work stops a long-running batch-priority run (which then reruns).</summary>
    public bool PreemptBatchPriority { get; set; } = true;

    /// <summary>Requests of more tiles are scheduled as batch priority (0: never).</summary>
    public int BatchPriorityAboveTiles { get; set; } = 16;

    public DynamicBatcherOptions ToBatcherOptions() => new()
    {
        MaxBatch = Math.Max(1, MaxBatch),
        MaxDelay = TimeSpan.FromMilliseconds(Math.Max(0, MaxDelayMs)),
        MaxQueuedItems = Math.Max(1, MaxQueuedItems),
        MaxQueuedBytes = Math.Max(1, MaxQueuedMegabytes) * (1L << 20),
        TilesInFlightPerRequest = Math.Max(1, TilesInFlightPerRequest),
        PreemptBatchPriority = PreemptBatchPriority,
        BatchPriorityAboveTiles = Math.Max(0, BatchPriorityAboveTiles),
    };
}
