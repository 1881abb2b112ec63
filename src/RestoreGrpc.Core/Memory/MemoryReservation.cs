namespace RestoreGrpc.Core.Memory;

/// <summary>
/// Bytes a request holds in a <see cref="MemoryBudget"/>. It grows as the request learns what it will allocate and is
/// released whole by <see cref="Dispose"/> (the server disposes it once the response has been written). Not for
/// concurrent use by several threads.
/// </summary>
public sealed class MemoryReservation : IDisposable
{
    private long _bytes;
    private int _disposed;

    internal MemoryReservation(MemoryBudget budget, long bytes)
    {
        Budget = budget;
        _bytes = bytes;
    }

    /// <summary>The budget reserved from.</summary>
    public MemoryBudget Budget { get; }

    /// <summary>Bytes held now.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Holds <paramref name="bytes"/> more, waiting for room as <see cref="MemoryBudget"/> describes.</summary>
    /// <exception cref="Errors.QueueFullException">No room in time.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    public ValueTask GrowAsync(long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return bytes == 0 ? ValueTask.CompletedTask : Budget.GrowAsync(this, bytes, cancellationToken);
    }

    /// <summary>Holds at least <paramref name="bytes"/> in all: grows by what is missing.</summary>
    public ValueTask GrowToAsync(long bytes, CancellationToken cancellationToken) =>
        GrowAsync(Math.Max(0, bytes - Bytes), cancellationToken);

    /// <summary>Returns every byte held to the budget. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Budget.Release(Interlocked.Exchange(ref _bytes, 0), last: true);
        }
    }

    /// <summary>Called by the budget, under its lock, when bytes are granted.</summary>
    internal void Added(long bytes) => Interlocked.Add(ref _bytes, bytes);
}
