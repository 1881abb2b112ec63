using System.Diagnostics.Metrics;

namespace RestoreGrpc.Core.Telemetry;

/// <summary>
/// The core's instruments (OpenTelemetry naming: dotted lower-case names, UCUM units, durations in seconds). The
/// Prometheus exporter turns <c>restoregrpc.queue.wait.duration</c> (s) into
/// <c>restoregrpc_queue_wait_duration_seconds</c>, counters get <c>_total</c>.
/// </summary>
internal static class RestoreMetrics
{
    /// <summary>Time a tile or face crop waited in the batcher's queue, per model.</summary>
    public static Histogram<double> QueueWait { get; } = RestoreTelemetry.Meter.CreateHistogram<double>(
        "restoregrpc.queue.wait.duration", "s", "Time a tile or face crop waited in the batching queue before its batch ran.");

    /// <summary>Duration of one batch's model run, per model and execution provider.</summary>
    public static Histogram<double> InferenceDuration { get; } = RestoreTelemetry.Meter.CreateHistogram<double>(
        "restoregrpc.inference.duration", "s", "Duration of one batched model run.");

    /// <summary>Items per batch, per model.</summary>
    public static Histogram<int> BatchSize { get; } = RestoreTelemetry.Meter.CreateHistogram<int>(
        "restoregrpc.batch.size", "{item}", "Tiles or face crops carried by one batch.");

    /// <summary>Items per batch over the model's maximum batch, per model (1 = full batches).</summary>
    public static Histogram<double> BatchFill { get; } = RestoreTelemetry.Meter.CreateHistogram<double>(
        "restoregrpc.batch.fill", "1", "Items in a batch divided by the model's maximum batch size.");

    /// <summary>Super-resolution tiles restored, per model.</summary>
    public static Counter<long> Tiles { get; } = RestoreTelemetry.Meter.CreateCounter<long>(
        "restoregrpc.tiles", "{tile}", "Super-resolution tiles restored.");

    /// <summary>Input pixels of restored images, per model (megapixels: divide by 1e6).</summary>
    public static Counter<long> InputPixels { get; } = RestoreTelemetry.Meter.CreateCounter<long>(
        "restoregrpc.input.pixels", "{pixel}", "Input pixels of successfully restored images.");

    /// <summary>Counts one restored image.</summary>
    public static void RecordRestored(string model, int tiles, long inputPixels)
    {
        var tag = new KeyValuePair<string, object?>(RestoreAttributes.Model, model);
        Tiles.Add(tiles, tag);
        InputPixels.Add(inputPixels, tag);
    }
}
