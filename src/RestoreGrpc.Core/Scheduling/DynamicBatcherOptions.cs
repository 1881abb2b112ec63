namespace RestoreGrpc.Core.Scheduling;

/// <summary>Batching and admission limits of a <see cref="DynamicBatcher"/>.</summary>
public sealed record DynamicBatcherOptions
{
    /// <summary>Items per model run.</summary>
    public int MaxBatch { get; init; } = 4;

    /// <summary>How long the oldest queued item waits for a fuller batch.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Items queued at most (all shapes); beyond it new work is refused.</summary>
    public int MaxQueuedItems { get; init; } = 256;

    /// <summary>Input bytes queued at most; beyond it new work is refused.</summary>
    public long MaxQueuedBytes { get; init; } = 1L << 30;

    /// <summary>Tiles one request keeps queued or running: the next is prepared while one infers; memory stays bounded.</summary>
    public int TilesInFlightPerRequest { get; init; } = 2;

    /// <summary>
    /// Stop a running batch of batch-priority work when interactive work arrives, no inference slot is free, and the
    /// running batch would take longer to finish than the newcomer takes to run; its items go back to the front of
    /// their queue. Model runs cannot be paused, so the stopped run's work is lost: on a CPU a 512-pixel tile runs for
    /// seconds, and without this a small interactive request waits for it.
    /// </summary>
    public bool PreemptBatchPriority { get; init; } = true;

    /// <summary>
    /// Requests of more tiles than this are scheduled as batch priority even when they ask for interactive, so a
    /// large image never holds up a small one for long (0: never). Measured on the 2-core CPU: a 256² request behind an
    /// interactive 4096² job waited 9.9 s (idle 1.0 s); behind the same job at batch priority 1.04 s.
    /// </summary>
    public int BatchPriorityAboveTiles { get; init; } = 16;
}
