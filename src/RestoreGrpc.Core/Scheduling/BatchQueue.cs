using System.Diagnostics;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// Every shape's <see cref="ShapeQueue"/> behind one lock, with <see cref="BatchAdmission"/> at the door. A shape is
/// ready when it holds a full batch or its oldest item has waited its delay; shapes holding interactive work go
/// first, then the longest waiting. Empty shapes are forgotten at once: every image smaller than a tile has its own
/// shape, and nothing may accumulate.
/// </summary>
internal sealed class BatchQueue(BatchPolicy policy, BatchAdmission admission)
{
    private readonly Dictionary<ShapeKey, ShapeQueue> _queues = [];
    private readonly Lock _lock = new();

    public int QueuedItems
    {
        get
        {
            lock (_lock)
            {
                return admission.Items;
            }
        }
    }

    public int QueuedShapes
    {
        get
        {
            lock (_lock)
            {
                return _queues.Count;
            }
        }
    }

    /// <summary>Whether any shape holds interactive work.</summary>
    public bool HasInteractive
    {
        get
        {
            lock (_lock)
            {
                return _queues.Values.Any(q => q.HasInteractive);
            }
        }
    }

    /// <exception cref="Errors.QueueFullException">At the admission bound.</exception>
    public void Enqueue(QueuedItem item, double secondsPerItem)
    {
        lock (_lock)
        {
            admission.Admit(item.Bytes, secondsPerItem);
            QueueFor(item.Key).Add(item);
        }
    }

    /// <summary>Takes a cancelled item out of the queue if it is still there.</summary>
    /// <returns>The batch carrying it, when it had already left the queue.</returns>
    public RunningBatch? Withdraw(QueuedItem item)
    {
        lock (_lock)
        {
            if (_queues.TryGetValue(item.Key, out ShapeQueue? queue) && queue.Remove(item))
            {
                admission.Remove(item.Bytes);
                ForgetIfEmpty(item.Key, queue);
            }

            return item.Batch;
        }
    }

    /// <summary>Forms a batch of up to <paramref name="max"/> items of a shape, in fair turns (empty if the shape
    /// emptied meanwhile).</summary>
    public List<QueuedItem> Take(ShapeKey key, int max)
    {
        lock (_lock)
        {
            if (!_queues.TryGetValue(key, out ShapeQueue? queue))
            {
                return [];
            }

            List<QueuedItem> batch = queue.Take(max);
            foreach (QueuedItem item in batch)
            {
                admission.Remove(item.Bytes);
            }

            ForgetIfEmpty(key, queue);
            return batch;
        }
    }

    /// <summary>Marks the items as carried by <paramref name="running"/> (cancellation then reaches the run).</summary>
    public void MarkRunning(List<QueuedItem> batch, RunningBatch running)
    {
        lock (_lock)
        {
            foreach (QueuedItem item in batch)
            {
                item.Batch = running;
            }
        }
    }

    /// <summary>Puts a stopped batch's unfinished items back at the front of their queue, in order, outside
    /// admission.</summary>
    public void Requeue(ShapeKey key, List<QueuedItem> batch)
    {
        lock (_lock)
        {
            ShapeQueue queue = QueueFor(key);
            for (int i = batch.Count - 1; i >= 0; i--)
            {
                QueuedItem item = batch[i];
                item.Batch = null;
                if (!item.IsCompleted)
                {
                    queue.AddFirst(item);
                    admission.Add(item.Bytes);
                }
            }

            ForgetIfEmpty(key, queue);
        }
    }

    /// <summary>The shape to run next, if any is ready.</summary>
    /// <param name="wait">Until the next shape becomes ready by age (infinite when none waits).</param>
    public ShapeKey? ReadyShape(out TimeSpan wait)
    {
        wait = Timeout.InfiniteTimeSpan;
        long now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            ShapeKey? best = null;
            long oldest = long.MaxValue;
            bool bestInteractive = false;
            foreach ((ShapeKey key, ShapeQueue queue) in _queues)
            {
                if (queue.Count == 0)
                {
                    continue;
                }

                TimeSpan age = Stopwatch.GetElapsedTime(queue.OldestTimestamp, now);
                TimeSpan maxDelay = policy.MaxDelayFor(key.Model);
                if (queue.Count >= policy.MaxBatchFor(key.Model) || age >= maxDelay)
                {
                    // Shapes holding interactive work first, then the longest waiting.
                    bool interactive = queue.HasInteractive;
                    if ((interactive && !bestInteractive) || (interactive == bestInteractive && queue.OldestTimestamp < oldest))
                    {
                        (best, oldest, bestInteractive) = (key, queue.OldestTimestamp, interactive);
                    }
                }
                else
                {
                    TimeSpan remaining = maxDelay - age;
                    wait = wait == Timeout.InfiniteTimeSpan || remaining < wait ? remaining : wait;
                }
            }

            return best;
        }
    }

    private ShapeQueue QueueFor(ShapeKey key)
    {
        if (!_queues.TryGetValue(key, out ShapeQueue? queue))
        {
            queue = new ShapeQueue();
            _queues[key] = queue;
        }

        return queue;
    }

    private void ForgetIfEmpty(ShapeKey key, ShapeQueue queue)
    {
        if (queue.Count == 0)
        {
            _queues.Remove(key);
        }
    }
}
