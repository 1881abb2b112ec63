using System.Runtime.CompilerServices;
using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// What runs cost, measured: seconds per input pixel per model (decayed sums of time and pixels, so large runs
/// dominate and the per-run overhead of tiny images does not inflate it) for preemption and estimates, and seconds
/// per item overall (decayed average) for admission's retry delay.
/// </summary>
internal sealed class InferenceCostModel
{
    // Weak keys: a model replaced by a reload goes with its session, and its cost with it.
    private readonly ConditionalWeakTable<IUpscaleModel, Cost> _cost = new();
    private double _secondsPerItem = 0.05;

    public double SecondsPerItem => Volatile.Read(ref _secondsPerItem);

    /// <summary>Null before the model has run here.</summary>
    public double? SecondsPerInputPixel(IUpscaleModel model)
    {
        if (!_cost.TryGetValue(model, out Cost? cost))
        {
            return null;
        }

        lock (cost)
        {
            return cost.Pixels > 0 ? cost.Seconds / cost.Pixels : null;
        }
    }

    /// <summary>Records one successful run of <paramref name="items"/> items of <paramref name="pixels"/> input
    /// pixels in all.</summary>
    public void Record(IUpscaleModel model, int items, double pixels, TimeSpan inference)
    {
        double perItem = inference.TotalSeconds / items;
        Volatile.Write(ref _secondsPerItem, (0.8 * Volatile.Read(ref _secondsPerItem)) + (0.2 * perItem));
        Cost cost = _cost.GetValue(model, static _ => new Cost());
        lock (cost)
        {
            cost.Seconds = (0.9 * cost.Seconds) + inference.TotalSeconds;
            cost.Pixels = (0.9 * cost.Pixels) + pixels;
        }
    }

    /// <summary>Decayed sums of one model's run time and input pixels.</summary>
    private sealed class Cost
    {
        public double Seconds;
        public double Pixels;
    }
}
