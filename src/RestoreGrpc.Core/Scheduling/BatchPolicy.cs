using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>Per-model batching settings: a catalog entry's own values where set, else the batcher's options.</summary>
internal sealed class BatchPolicy(DynamicBatcherOptions options)
{
    public DynamicBatcherOptions Options { get; } = options;

    /// <summary>Items per run: the catalog entry's <c>MaxBatch</c> when set, else the batcher's.</summary>
    public int MaxBatchFor(IUpscaleModel model) => model.Descriptor.MaxBatch > 0 ? model.Descriptor.MaxBatch : Options.MaxBatch;

    /// <summary>Queue delay: the catalog entry's <c>MaxQueueDelayMs</c> when set, else the batcher's.</summary>
    public TimeSpan MaxDelayFor(IUpscaleModel model) =>
        model.Descriptor.MaxQueueDelayMs is { } ms and >= 0 ? TimeSpan.FromMilliseconds(ms) : Options.MaxDelay;

    /// <summary>The priority a request of <paramref name="tiles"/> tiles is scheduled at.</summary>
    public SchedulingPriority PriorityFor(SchedulingPriority requested, long tiles) =>
        Options.BatchPriorityAboveTiles > 0 && tiles > Options.BatchPriorityAboveTiles ? SchedulingPriority.Batch : requested;
}
