using RestoreGrpc.Core.Errors;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// The queue's bound, in items and input bytes (<see cref="DynamicBatcherOptions.MaxQueuedItems"/>,
/// <see cref="DynamicBatcherOptions.MaxQueuedBytes"/>): work beyond it is refused with a retry delay estimated from the
/// measured cost per item. Counts what is queued, not what runs. Not thread-safe: the <see cref="BatchQueue"/> holds
/// the lock.
/// </summary>
internal sealed class BatchAdmission(int maxItems, long maxBytes)
{
    public int Items { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>Counts an item in, or refuses it.</summary>
    /// <param name="secondsPerItem">Measured inference seconds per item, for the retry delay.</param>
    /// <exception cref="QueueFullException">At the bound.</exception>
    public void Admit(long bytes, double secondsPerItem)
    {
        if (Items + 1 > maxItems || Bytes + bytes > maxBytes)
        {
            TimeSpan retryAfter = TimeSpan.FromSeconds(Math.Max(0.1, Items * secondsPerItem));
            throw new QueueFullException(
                $"the inference queue is full ({Items} items, {Bytes / (1 << 20)} MiB queued); retry after {retryAfter.TotalSeconds:F1} s",
                retryAfter);
        }

        Add(bytes);
    }

    /// <summary>Counts an item back in without the bound (a preempted batch's item returning to the queue).</summary>
    public void Add(long bytes)
    {
        Items++;
        Bytes += bytes;
    }

    /// <summary>Counts an item out (taken into a batch, or cancelled).</summary>
    public void Remove(long bytes)
    {
        Items--;
        Bytes -= bytes;
    }
}
