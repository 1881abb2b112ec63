using System.Diagnostics;
using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>A formed batch; its token stops the model run once all of its callers have cancelled, or when
/// interactive work preempts it.</summary>
internal sealed class RunningBatch : IDisposable
{
    private readonly List<QueuedItem> _items;
    private readonly CancellationTokenSource _abandoned = new();
    private int _preempted;

    public RunningBatch(List<QueuedItem> items, IUpscaleModel model, double pixels)
    {
        _items = items;
        Model = model;
        Pixels = pixels;
        AllBatchPriority = items.TrueForAll(i => i.Owner.Priority == SchedulingPriority.Batch);
    }

    public IUpscaleModel Model { get; }

    /// <summary>Input pixels of all items together.</summary>
    public double Pixels { get; }

    public bool AllBatchPriority { get; }

    public long Started { get; } = Stopwatch.GetTimestamp();

    public CancellationToken Abandoned => _abandoned.Token;

    public bool Preempted => Volatile.Read(ref _preempted) == 1;

    /// <summary>Seconds of work left, from the measured cost per pixel (null before the model has a cost).</summary>
    public double? SecondsLeft(InferenceCostModel cost) =>
        cost.SecondsPerInputPixel(Model) is { } perPixel ? (perPixel * Pixels) - Stopwatch.GetElapsedTime(Started).TotalSeconds : null;

    public void Preempt()
    {
        if (Interlocked.Exchange(ref _preempted, 1) == 0)
        {
            Cancel();
        }
    }

    public void CancelIfAbandoned()
    {
        if (_items.TrueForAll(i => i.Completion.Task.IsCanceled))
        {
            Cancel();
        }
    }

    public void Dispose() => _abandoned.Dispose();

    private void Cancel()
    {
        try
        {
            _abandoned.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
