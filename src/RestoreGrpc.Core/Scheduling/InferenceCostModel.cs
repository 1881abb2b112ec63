using System.Collections.Concurrent;
using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// What runs cost, measured: seconds per input pixel per model (decayed sums of time and pixels, so large runs
/// dominate and the per-run overhead of tiny images does not inflate it) for preemption and estimates, and seconds
/// per item overall (decayed average) for admission's retry delay.
/// </summary>
internal sealed class InferenceCostModel
{
    private readonly ConcurrentDictionary<IUpscaleModel, (double Seconds, double Pixels)> _cost = new();
    private double _secondsPerItem = 0.05;

    public double SecondsPerItem => Volatile.Read(ref _secondsPerItem);

    /// <summary>Null before the model has run here.</summary>
    public double? SecondsPerInputPixel(IUpscaleModel model) =>
        _cost.TryGetValue(model, out (double Seconds, double Pixels) cost) && cost.Pixels > 0 ? cost.Seconds / cost.Pixels : null;

    /// <summary>Records one successful run of <paramref name="items"/> items of <paramref name="pixels"/> input
    /// pixels in all.</summary>
    public void Record(IUpscaleModel model, int items, double pixels, TimeSpan inference)
    {
        double perItem = inference.TotalSeconds / items;
        Volatile.Write(ref _secondsPerItem, (0.8 * Volatile.Read(ref _secondsPerItem)) + (0.2 * perItem));
        _cost.AddOrUpdate(
            model,
            (inference.TotalSeconds, pixels),
            (_, previous) => ((0.9 * previous.Seconds) + inference.TotalSeconds, (0.9 * previous.Pixels) + pixels));
    }
}
