using System.Threading.RateLimiting;

namespace RestoreGrpc.Server.Quotas;

/// <summary>
/// Equal shares of the server's unary capacity among the tenants active at the same moment
/// (<see cref="QuotaOptions.FairShareConcurrentUnary"/>). A tenant alone may run as many calls as its quota lets it;
/// once others are active (a call in flight, or one admitted, refused or finished within <see cref="RecentWindow"/>),
/// each is held to ⌊capacity / active tenants⌋ calls at once (at least one), so a flooding tenant cannot take the
/// processor time a quiet tenant's next call needs. Calls already running are never stopped: a tenant above its
/// share is refused new calls until it is back within it. Bounded: idle tenants are forgotten after the window.
/// </summary>
internal sealed class TenantFairShare
{
    /// <summary>How long a tenant counts as active after its last call: a quiet tenant sending one call after
    /// another is between calls for microseconds, and must not drop out of the count each time.</summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromMilliseconds(500);

    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Activity> _tenants = new(StringComparer.Ordinal);

    /// <param name="capacity">Calls all tenants together may run before shares apply; 0 or less: off.</param>
    public TenantFairShare(int capacity) => _capacity = capacity;

    public bool Enabled => _capacity > 0;

    /// <summary>Tenants remembered (in flight or recently active): bounded by the calls in flight and the window.</summary>
    public int TrackedTenants
    {
        get
        {
            lock (_lock)
            {
                return _tenants.Count;
            }
        }
    }

    /// <summary>Admits one call of <paramref name="tenant"/>: a held lease, or a refused one with the share.</summary>
    public RateLimitLease TryEnter(string tenant, out int share)
    {
        long now = Environment.TickCount64;
        lock (_lock)
        {
            if (!_tenants.TryGetValue(tenant, out Activity? activity))
            {
                activity = new Activity();
                _tenants[tenant] = activity;
            }

            activity.LastSeen = now;
            int active = 0;
            List<string>? idle = null;
            foreach ((string name, Activity other) in _tenants)
            {
                if (other.InFlight > 0 || now - other.LastSeen <= (long)RecentWindow.TotalMilliseconds)
                {
                    active++;
                }
                else
                {
                    (idle ??= []).Add(name);
                }
            }

            foreach (string name in idle ?? [])
            {
                _tenants.Remove(name);
            }

            share = active <= 1 ? int.MaxValue : Math.Max(1, _capacity / active);
            if (activity.InFlight >= share)
            {
                return ShareLease.Refused;
            }

            activity.InFlight++;
            return new ShareLease(this, tenant);
        }
    }

    private void Exit(string tenant)
    {
        lock (_lock)
        {
            if (_tenants.TryGetValue(tenant, out Activity? activity))
            {
                activity.InFlight--;
                activity.LastSeen = Environment.TickCount64;
            }
        }
    }

    private sealed class Activity
    {
        public int InFlight;
        public long LastSeen;
    }

    /// <summary>A call's share (released once, however often disposed), or the refusal (no owner).</summary>
    private sealed class ShareLease(TenantFairShare? owner, string tenant) : RateLimitLease
    {
        public static readonly ShareLease Refused = new(null, string.Empty);

        private int _released;

        public override bool IsAcquired => owner is not null;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (owner is not null && Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Exit(tenant);
            }

            base.Dispose(disposing);
        }
    }
}
