using RestoreGrpc.Core.Errors;

namespace RestoreGrpc.Core.Memory;

/// <summary>
/// Byte-weighted admission for the memory requests hold from receipt to their last byte sent. A request reserves its
/// estimate before it allocates (<see cref="Admit"/> at receipt for the received message, then
/// <see cref="MemoryReservation.GrowAsync"/> from the image header before decoding), and the reservation is released
/// when its response has been written. Reservations that do not fit wait in arrival order, at most
/// <see cref="MaxWait"/>; beyond that the call is refused with <see cref="QueueFullException"/> (RESOURCE_EXHAUSTED
/// with a retry delay), so peak memory is set by <see cref="CapacityBytes"/>, not by the number of clients. A request
/// larger than the whole budget runs alone. Thread-safe.
/// </summary>
public sealed class MemoryBudget
{
    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly TimeProvider _time;
    private long _inFlight;
    private long _peak;
    private int _reservations;
    private long _admissions;
    private long _idleSince;

    /// <param name="capacityBytes">Bytes that reservations may hold together.</param>
    /// <param name="maxWait">Longest a reservation waits for room before it is refused.</param>
    /// <param name="retryAfter">Retry delay suggested to refused callers.</param>
    /// <param name="time">Clock for the waits and <see cref="IdleFor"/> (tests pass a fake one).</param>
    public MemoryBudget(long capacityBytes, TimeSpan maxWait, TimeSpan retryAfter, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        CapacityBytes = capacityBytes;
        MaxWait = maxWait;
        RetryAfter = retryAfter;
        _time = time ?? TimeProvider.System;
        _idleSince = _time.GetTimestamp();
    }

    /// <summary>Bytes all reservations may hold together.</summary>
    public long CapacityBytes { get; }

    /// <summary>Longest a reservation waits for room.</summary>
    public TimeSpan MaxWait { get; }

    /// <summary>Retry delay given to refused callers.</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>Bytes reserved now.</summary>
    public long InFlightBytes => Volatile.Read(ref _inFlight);

    /// <summary>Most bytes ever reserved at once.</summary>
    public long PeakBytes => Volatile.Read(ref _peak);

    /// <summary>Reservations waiting for room.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Reservations opened so far (an idle trim need not run again while this has not changed).</summary>
    public long Admissions => Interlocked.Read(ref _admissions);

    /// <summary>
    /// A budget sized from the machine: a quarter of the memory the GC may use (the container limit where there is
    /// one), but no more than 256 MiB per core — requests beyond what the cores can work on only wait, and waiting
    /// in the budget's queue holds just their received message — and at least 256 MiB.
    /// </summary>
    /// <param name="availableBytes">Memory the process may use (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>).</param>
    /// <param name="cores">Processors the process may use.</param>
    public static long DefaultCapacity(long availableBytes, int cores)
    {
        const long PerCore = 256L << 20;
        return Math.Max(PerCore, Math.Min(availableBytes / 4, PerCore * Math.Max(1, cores)));
    }

    /// <summary>How long no reservation has been open (zero while any is).</summary>
    public TimeSpan IdleFor
    {
        get
        {
            lock (_lock)
            {
                return _reservations > 0 ? TimeSpan.Zero : _time.GetElapsedTime(_idleSince);
            }
        }
    }

    /// <summary>Reserves <paramref name="bytes"/> now, without waiting: for memory the request already holds (a
    /// received message). Refused with <see cref="QueueFullException"/> when it does not fit.</summary>
    public MemoryReservation Admit(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_lock)
        {
            if (!Fits(bytes, held: 0))
            {
                throw Refusal(bytes);
            }

            _reservations++;
            _admissions++;
            Take(bytes);
        }

        return new MemoryReservation(this, bytes);
    }

    /// <summary>Reserves <paramref name="bytes"/>, waiting in arrival order for room.</summary>
    /// <exception cref="QueueFullException">No room within <see cref="MaxWait"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    public async ValueTask<MemoryReservation> ReserveAsync(long bytes, CancellationToken cancellationToken)
    {
        MemoryReservation reservation = Admit(0);
        try
        {
            await reservation.GrowAsync(bytes, cancellationToken).ConfigureAwait(false);
            return reservation;
        }
        catch
        {
            reservation.Dispose();
            throw;
        }
    }

    /// <summary>Adds <paramref name="bytes"/> to <paramref name="reservation"/>, waiting in arrival order.</summary>
    internal async ValueTask GrowAsync(MemoryReservation reservation, long bytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_lock)
        {
            if (_waiters.Count == 0 && Fits(bytes, reservation.Bytes))
            {
                Take(bytes);
                reservation.Added(bytes);
                return;
            }

            if (MaxWait == TimeSpan.Zero)
            {
                throw Refusal(bytes);
            }

            waiter = new Waiter(reservation, bytes);
            waiter.Node = _waiters.AddLast(waiter);
        }

        using var timeout = new CancellationTokenSource(MaxWait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await using (linked.Token.UnsafeRegister(static state => ((Waiter)state!).Budget.Abandon((Waiter)state!), waiter).ConfigureAwait(false))
        {
            try
            {
                await waiter.Granted.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
            {
                throw Refusal(bytes);
            }
        }
    }

    /// <summary>Returns <paramref name="bytes"/> of a reservation, and ends it when <paramref name="last"/>.</summary>
    internal void Release(long bytes, bool last)
    {
        List<Waiter> granted;
        lock (_lock)
        {
            _inFlight -= bytes;
            if (last && --_reservations == 0)
            {
                _idleSince = _time.GetTimestamp();
            }

            granted = Pump();
        }

        Complete(granted);
    }

    private void Abandon(Waiter waiter)
    {
        List<Waiter> granted;
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                return; // granted already
            }

            _waiters.Remove(waiter.Node);
            granted = Pump(); // the next in line may fit now
        }

        waiter.Granted.TrySetCanceled();
        Complete(granted);
    }

    /// <summary>Grants waiters in order while the first fits. Under the lock.</summary>
    private List<Waiter> Pump()
    {
        var granted = new List<Waiter>();
        while (_waiters.First is { } first && Fits(first.Value.Bytes, first.Value.Reservation.Bytes))
        {
            _waiters.RemoveFirst();
            Take(first.Value.Bytes);
            first.Value.Reservation.Added(first.Value.Bytes);
            granted.Add(first.Value);
        }

        return granted;
    }

    private static void Complete(List<Waiter> granted)
    {
        foreach (Waiter waiter in granted)
        {
            waiter.Granted.TrySetResult();
        }
    }

    /// <summary>Whether <paramref name="bytes"/> more fit, for a reservation already holding <paramref name="held"/>:
    /// within the capacity, or alone (a request larger than the budget runs by itself). Under the lock.</summary>
    private bool Fits(long bytes, long held) => _inFlight + bytes <= CapacityBytes || _inFlight == held;

    private void Take(long bytes)
    {
        _inFlight += bytes;
        if (_inFlight > _peak)
        {
            _peak = _inFlight;
        }
    }

    private QueueFullException Refusal(long bytes) => new(
        $"the server's request memory is in use ({_inFlight / (1 << 20)} of {CapacityBytes / (1 << 20)} MiB, {bytes / (1 << 20)} MiB asked); retry after {RetryAfter.TotalSeconds:F1} s",
        RetryAfter);

    private sealed class Waiter(MemoryReservation reservation, long bytes)
    {
        public MemoryReservation Reservation { get; } = reservation;

        public long Bytes { get; } = bytes;

        public MemoryBudget Budget => Reservation.Budget;

        public LinkedListNode<Waiter>? Node { get; set; }

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
