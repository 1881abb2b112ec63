namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// The batches running right now, and the choice of which to stop for interactive work: the batch-priority batch
/// with the most work left, when that exceeds what the interactive newcomer needs (both from the measured cost).
/// </summary>
internal sealed class Preemption(InferenceCostModel cost)
{
    private readonly List<RunningBatch> _running = [];
    private readonly Lock _lock = new();

    public void Started(RunningBatch batch)
    {
        lock (_lock)
        {
            _running.Add(batch);
        }
    }

    public void Ended(RunningBatch batch)
    {
        lock (_lock)
        {
            _running.Remove(batch);
        }
    }

    /// <summary>The batch to stop for a newcomer needing <paramref name="newcomerSeconds"/>, if any.</summary>
    public RunningBatch? VictimFor(double newcomerSeconds)
    {
        RunningBatch? victim = null;
        double mostLeft = newcomerSeconds;
        lock (_lock)
        {
            foreach (RunningBatch running in _running)
            {
                if (running.AllBatchPriority && running.SecondsLeft(cost) is { } left && left > mostLeft)
                {
                    (victim, mostLeft) = (running, left);
                }
            }
        }

        return victim;
    }
}
