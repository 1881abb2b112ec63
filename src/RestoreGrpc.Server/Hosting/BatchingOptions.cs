using System.ComponentModel.DataAnnotations;
using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Dynamic batching of tiles and face crops across requests (section <c>Restore:Batching</c>).</summary>
public sealed class BatchingOptions
{
    public const string Section = "Restore:Batching";

    /// <summary>
    /// Items (tiles or crops of one shape) per model run, for models whose catalog entry sets no <c>MaxBatch</c>.
    /// 1 by default, by measurement: on the 2-core CPU batches of 4 served 256² requests at the same rate as batches
    /// of 1 (1.05 images/s at 16 clients), and on an H200 batches of up to 8 served 23.7 images/s where batches of 1
    /// served 116.6. Set it (or a model's <c>MaxBatch</c>) where the sweep's raw table shows a batching gain.
    /// </summary>
    [Range(1, 1024)]
    public int MaxBatch { get; set; } = 1;

    /// <summary>How long the first item of a batch waits for others, in milliseconds.</summary>
    [Range(0, 10_000)]
    public double MaxDelayMs { get; set; } = 5;

    /// <summary>Items waiting at most; beyond it requests are refused with RESOURCE_EXHAUSTED and a retry delay.</summary>
    [Range(1, int.MaxValue)]
    public int MaxQueuedItems { get; set; } = 256;

    /// <summary>Input megabytes waiting at most.</summary>
    [Range(1, 1 << 20)]
    public int MaxQueuedMegabytes { get; set; } = 1024;

    /// <summary>Tiles one request keeps queued or running.</summary>
    [Range(1, 1024)]
    public int TilesInFlightPerRequest { get; set; } = 2;

    /// <summary>Interactive work stops a long-running batch-priority run (which then reruns).</summary>
    public bool PreemptBatchPriority { get; set; } = true;

    /// <summary>Requests of more tiles are scheduled as batch priority (0: never).</summary>
    [Range(0, int.MaxValue)]
    public int BatchPriorityAboveTiles { get; set; } = 16;

    /// <summary>The scheduler's settings. Values were validated at start-up (the ranges above), not clamped here.</summary>
    public DynamicBatcherOptions ToBatcherOptions() => new()
    {
        MaxBatch = MaxBatch,
        MaxDelay = TimeSpan.FromMilliseconds(MaxDelayMs),
        MaxQueuedItems = MaxQueuedItems,
        MaxQueuedBytes = MaxQueuedMegabytes * (1L << 20),
        TilesInFlightPerRequest = TilesInFlightPerRequest,
        PreemptBatchPriority = PreemptBatchPriority,
        BatchPriorityAboveTiles = BatchPriorityAboveTiles,
    };
}
