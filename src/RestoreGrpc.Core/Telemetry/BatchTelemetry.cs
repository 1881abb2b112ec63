using System.Diagnostics;
using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Core.Telemetry;

/// <summary>
/// Spans and metrics of the dynamic batcher. A batch serves items of many requests, so its span has a link to the
/// span of every request it served (the span current when each item was queued), with the first of them as parent;
/// each item gets a <see cref="RestoreStages.QueueWait"/> span in its own request's trace (enqueue → batch start)
/// linked back to the batch. So every request's trace shows its own queue wait and the batches that carried it.
/// </summary>
internal static class BatchTelemetry
{
    /// <summary>Starts the span of one batch inference; null when nobody listens.</summary>
    /// <param name="callerOf">The span context recorded when an item was queued (default when there was none).</param>
    public static Activity? StartBatch<TItem>(IUpscaleModel model, IReadOnlyList<TItem> items, Func<TItem, ActivityContext> callerOf, int maxBatch, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(callerOf);
        if (!RestoreTelemetry.Source.HasListeners())
        {
            return null;
        }

        var links = new List<ActivityLink>(items.Count);
        var seen = new HashSet<ActivitySpanId>();
        foreach (TItem item in items)
        {
            ActivityContext caller = callerOf(item);
            if (caller != default && seen.Add(caller.SpanId))
            {
                links.Add(new ActivityLink(caller));
            }
        }

        var tags = new ActivityTagsCollection
        {
            [RestoreAttributes.Model] = model.Descriptor.Name,
            [RestoreAttributes.ExecutionProvider] = model.ExecutionProvider,
            [RestoreAttributes.BatchSize] = items.Count,
            [RestoreAttributes.BatchMaxSize] = maxBatch,
            [RestoreAttributes.BatchFillRatio] = (double)items.Count / Math.Max(1, maxBatch),
            [RestoreAttributes.BatchRequests] = links.Count,
            [RestoreAttributes.TileShape] = $"{height}x{width}",
        };

        // The batch loop's own ambient span (whatever was current when the batcher started) must not become a parent.
        Activity? ambient = Activity.Current;
        Activity.Current = null;
        try
        {
            ActivityContext parent = links.Count > 0 ? links[0].Context : default;
            return RestoreTelemetry.Source.StartActivity(RestoreStages.BatchInference, ActivityKind.Internal, parent, tags, links);
        }
        finally
        {
            Activity.Current = ambient;
        }
    }

    /// <summary>Records a finished batch run: inference duration, batch size and fill.</summary>
    public static void RecordBatch(IUpscaleModel model, int size, int maxBatch, TimeSpan inference)
    {
        ArgumentNullException.ThrowIfNull(model);
        var modelTag = new KeyValuePair<string, object?>(RestoreAttributes.Model, model.Descriptor.Name);
        RestoreMetrics.InferenceDuration.Record(
            inference.TotalSeconds,
            modelTag,
            new KeyValuePair<string, object?>(RestoreAttributes.ExecutionProvider, model.ExecutionProvider));
        RestoreMetrics.BatchSize.Record(size, modelTag);
        RestoreMetrics.BatchFill.Record((double)size / Math.Max(1, maxBatch), modelTag);
    }

    /// <summary>
    /// Records one item's wait (Stopwatch timestamps from queueing to its batch's start): the histogram, and a
    /// <see cref="RestoreStages.QueueWait"/> span in the item's request trace, linked to <paramref name="batch"/>.
    /// </summary>
    public static void RecordQueueWait(IUpscaleModel model, ActivityContext caller, long enqueued, long batchStarted, Activity? batch)
    {
        ArgumentNullException.ThrowIfNull(model);
        TimeSpan wait = Stopwatch.GetElapsedTime(enqueued, batchStarted);
        RestoreMetrics.QueueWait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>(RestoreAttributes.Model, model.Descriptor.Name));
        if (caller == default || !RestoreTelemetry.Source.HasListeners())
        {
            return;
        }

        ActivityLink[] links = batch is null ? [] : [new ActivityLink(batch.Context)];
        var tags = new ActivityTagsCollection
        {
            [RestoreAttributes.Model] = model.Descriptor.Name,
            [RestoreAttributes.QueueWaitSeconds] = wait.TotalSeconds,
        };
        Activity? ambient = Activity.Current;
        try
        {
            using Activity? span = RestoreTelemetry.Source.StartActivity(
                RestoreStages.QueueWait, ActivityKind.Internal, caller, tags, links, RestoreTelemetry.WallClock(enqueued));
            span?.SetEndTime(RestoreTelemetry.WallClock(batchStarted).UtcDateTime);
        }
        finally
        {
            Activity.Current = ambient;
        }
    }
}
