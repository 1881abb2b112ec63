namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// The fair queue of one shape: items grouped by priority, tenant and request. <see cref="Take"/> deals items out one
/// at a time: interactive first; within a priority the tenant served least recently, then that tenant's request served
/// least recently (a virtual clock: each item dealt ticks it, and a request or tenant that arrives is stamped with the
/// clock's current value, so it waits at most one turn of each one already waiting — no skipped turns when requests
/// come and go, and no starvation of a large job by a stream of new small ones). Not thread-safe: the
/// <see cref="BatchQueue"/> holds the lock.
/// </summary>
internal sealed class ShapeQueue
{
    private static readonly SchedulingPriority[] PriorityOrder = [SchedulingPriority.Interactive, SchedulingPriority.Batch];

    private readonly List<RequestLine> _requests = [];
    private readonly Dictionary<string, long> _tenantServed = new(StringComparer.Ordinal);
    private long _clock;

    public int Count { get; private set; }

    /// <summary>When the longest-waiting item was queued (<see cref="long.MaxValue"/> when empty).</summary>
    public long OldestTimestamp => _requests.Where(r => r.Items.Count > 0).Select(r => r.Head!.Enqueued).DefaultIfEmpty(long.MaxValue).Min();

    public bool HasInteractive => _requests.Exists(r => r.Items.Count > 0 && r.Head!.Owner.Priority == SchedulingPriority.Interactive);

    public void Add(QueuedItem item) => LineFor(item, servedAt: _clock).Items.AddLast(item);

    /// <summary>Puts an item back at the head of its request's line (a preempted batch's item), first in turn.</summary>
    public void AddFirst(QueuedItem item) => LineFor(item, servedAt: long.MinValue).Items.AddFirst(item);

    public bool Remove(QueuedItem item)
    {
        foreach (RequestLine line in _requests)
        {
            if (line.Items.Remove(item))
            {
                Count--;
                Prune();
                return true;
            }
        }

        return false;
    }

    /// <summary>Deals up to <paramref name="max"/> items, in turn.</summary>
    public List<QueuedItem> Take(int max)
    {
        var batch = new List<QueuedItem>(Math.Min(max, Count));
        foreach (SchedulingPriority priority in PriorityOrder)
        {
            while (batch.Count < max)
            {
                RequestLine? next = null;
                foreach (RequestLine line in _requests)
                {
                    if (line.Items.Count > 0 && line.Head!.Owner.Priority == priority && (next is null || Before(line, next)))
                    {
                        next = line;
                    }
                }

                if (next is null)
                {
                    break;
                }

                batch.Add(next.Head!);
                next.Items.RemoveFirst();
                Count--;
                _clock++;
                next.ServedAt = _clock;
                _tenantServed[next.Tenant] = _clock;
            }
        }

        Prune();
        return batch;
    }

    /// <summary>Whether <paramref name="a"/> goes before <paramref name="b"/>: tenant's turn, request's turn, age.</summary>
    private bool Before(RequestLine a, RequestLine b)
    {
        long tenantA = _tenantServed[a.Tenant], tenantB = _tenantServed[b.Tenant];
        if (tenantA != tenantB)
        {
            return tenantA < tenantB;
        }

        return a.ServedAt != b.ServedAt ? a.ServedAt < b.ServedAt : a.Head!.Enqueued < b.Head!.Enqueued;
    }

    private RequestLine LineFor(QueuedItem item, long servedAt)
    {
        RequestLine? line = _requests.Find(r => ReferenceEquals(r.Request, item.Owner.Request));
        if (line is null)
        {
            line = new RequestLine(item.Owner.Request, item.Owner.Tenant) { ServedAt = servedAt };
            _requests.Add(line);
            _tenantServed.TryAdd(line.Tenant, servedAt);
        }

        Count++;
        return line;
    }

    /// <summary>Lines and tenants with nothing queued go: a returning one is stamped anew.</summary>
    private void Prune()
    {
        _requests.RemoveAll(r => r.Items.Count == 0);
        foreach (string tenant in _tenantServed.Keys.Where(t => !_requests.Exists(r => r.Tenant == t)).ToList())
        {
            _tenantServed.Remove(tenant);
        }
    }
}
