using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Errors;

namespace RestoreGrpc.Server.Quotas;

/// <summary>
/// Enforces <see cref="QuotaOptions"/> with System.Threading.RateLimiting limiters partitioned by tenant: concurrency
/// limiters (no queue: a call over the quota is refused at once) for unary calls, streams and queued tiles, a sliding
/// window for input pixels. A refusal is a <see cref="QuotaExceededException"/> (RESOURCE_EXHAUSTED with QuotaFailure
/// and RetryInfo); a model outside the tenant's list is PERMISSION_DENIED. Idle partitions are dropped by the
/// limiters themselves, so self-declared tenant names do not pile up.
/// </summary>
internal sealed class TenantQuotas : IDisposable
{
    /// <summary>Pixels are counted in units of this many (the limiters count in int permits).</summary>
    private const int PixelUnit = 1024;

    private static readonly TimeSpan ConcurrencyRetry = TimeSpan.FromSeconds(1);

    private readonly QuotaOptions _options;
    private readonly ConcurrentDictionary<string, TenantQuota> _quotas = new(StringComparer.Ordinal);
    private readonly PartitionedRateLimiter<string> _unary;
    private readonly PartitionedRateLimiter<string> _streams;
    private readonly PartitionedRateLimiter<string> _tiles;
    private readonly PartitionedRateLimiter<string> _pixels;

    public TenantQuotas(IOptions<QuotaOptions> options)
    {
        _options = options.Value;
        _unary = Concurrency(q => q.MaxConcurrentUnary);
        _streams = Concurrency(q => q.MaxConcurrentStreams);
        _tiles = Concurrency(q => q.MaxQueuedTiles);
        _pixels = PartitionedRateLimiter.Create<string, string>(tenant => PixelBudget(For(tenant).InputPixelsPerMinute) is { } budget
            ? RateLimitPartition.GetSlidingWindowLimiter(tenant, _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = budget,
                Window = TimeSpan.FromSeconds(_options.RateWindowSeconds),
                SegmentsPerWindow = 6,
                QueueLimit = 0,
                AutoReplenishment = true,
            })
            : RateLimitPartition.GetNoLimiter(tenant));
    }

    public TenantQuota For(string tenant) => _quotas.GetOrAdd(tenant, t => TenantQuota.Resolve(_options, t));

    /// <summary>PERMISSION_DENIED unless every named model is on the tenant's list (an empty list allows all).</summary>
    public void CheckModels(string tenant, params string?[] models)
    {
        IReadOnlySet<string> allowed = For(tenant).AllowedModels;
        if (allowed.Count == 0)
        {
            return;
        }

        foreach (string? model in models)
        {
            if (!string.IsNullOrWhiteSpace(model) && !allowed.Contains(model.Trim()))
            {
                throw new RpcException(new Status(StatusCode.PermissionDenied, $"this caller may not use model '{model.Trim()}'"));
            }
        }
    }

    /// <summary>Whether the tenant may use the model (for listing).</summary>
    public bool Allows(string tenant, string model) => For(tenant).AllowedModels is { Count: 0 } || For(tenant).AllowedModels.Contains(model);

    /// <summary>Admits one unary call of <paramref name="pixels"/> input pixels planned as <paramref name="tiles"/>
    /// tiles: size cap, pixel rate, concurrency and queued tiles. Dispose the lease when the call's response is sent.</summary>
    /// <exception cref="QuotaExceededException">A quota refused it.</exception>
    public IDisposable AdmitUnary(string tenant, long pixels, int tiles)
    {
        TenantQuota quota = For(tenant);
        CheckImageSize(tenant, quota, pixels);
        var leases = new Leases();
        try
        {
            leases.Add(Acquire(_unary, tenant, 1, "MaxConcurrentUnary", $"{quota.MaxConcurrentUnary} unary calls at once"));
            leases.Add(AdmitTiles(tenant, tiles));
            AcquirePixels(leases, tenant, quota, pixels);
            return leases;
        }
        catch
        {
            leases.Dispose();
            throw;
        }
    }

    /// <summary>Admits one stream (its open-stream count) before its header is read further.</summary>
    public IDisposable AdmitStream(string tenant) =>
        Acquire(_streams, tenant, 1, "MaxConcurrentStreams", $"{For(tenant).MaxConcurrentStreams} streams open at once");

    /// <summary>Admits a new stream job's image: size cap and pixel rate (held until the stream ends).</summary>
    public IDisposable AdmitStreamImage(string tenant, long pixels)
    {
        TenantQuota quota = For(tenant);
        CheckImageSize(tenant, quota, pixels);
        var leases = new Leases();
        AcquirePixels(leases, tenant, quota, pixels);
        return leases;
    }

    /// <summary>Admits a stream's credit window: the tiles it can have queued at once.</summary>
    public RateLimitLease AdmitTiles(string tenant, int tiles)
    {
        // A plan of more tiles than the quota takes the whole quota (it would never fit otherwise).
        TenantQuota quota = For(tenant);
        return Acquire(_tiles, tenant, Math.Min(tiles, Math.Max(1, quota.MaxQueuedTiles)), "MaxQueuedTiles", $"{quota.MaxQueuedTiles} tiles queued at once");
    }

    public void Dispose()
    {
        _unary.Dispose();
        _streams.Dispose();
        _tiles.Dispose();
        _pixels.Dispose();
    }

    private static void CheckImageSize(string tenant, TenantQuota quota, long pixels)
    {
        if (quota.MaxImagePixels > 0 && pixels > quota.MaxImagePixels)
        {
            throw Exceeded(tenant, "MaxImagePixels", $"images of at most {quota.MaxImagePixels} pixels (this one has {pixels})", retryAfter: null);
        }
    }

    private void AcquirePixels(Leases leases, string tenant, TenantQuota quota, long pixels)
    {
        if (PixelBudget(quota.InputPixelsPerMinute) is not { } budget)
        {
            return;
        }

        // A request larger than the whole window's budget takes the whole budget (it would never fit otherwise).
        int units = (int)Math.Clamp((pixels + PixelUnit - 1) / PixelUnit, 1, budget);
        leases.Add(Acquire(_pixels, tenant, units, "InputPixelsPerMinute", $"{quota.InputPixelsPerMinute} input pixels per minute"));
    }

    /// <summary>The sliding window's budget in pixel units, or null for no limit.</summary>
    private int? PixelBudget(long pixelsPerMinute) => pixelsPerMinute <= 0
        ? null
        : (int)Math.Clamp(pixelsPerMinute * _options.RateWindowSeconds / 60 / PixelUnit, 1, int.MaxValue);

    private PartitionedRateLimiter<string> Concurrency(Func<TenantQuota, int> limit) =>
        PartitionedRateLimiter.Create<string, string>(tenant => limit(For(tenant)) is > 0 and int permits
            ? RateLimitPartition.GetConcurrencyLimiter(tenant, _ => new ConcurrencyLimiterOptions { PermitLimit = permits, QueueLimit = 0 })
            : RateLimitPartition.GetNoLimiter(tenant));

    private static RateLimitLease Acquire(PartitionedRateLimiter<string> limiter, string tenant, int permits, string quota, string allowance)
    {
        RateLimitLease lease = limiter.AttemptAcquire(tenant, permits);
        if (lease.IsAcquired)
        {
            return lease;
        }

        TimeSpan retry = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) && after > TimeSpan.Zero ? after : ConcurrencyRetry;
        lease.Dispose();
        throw Exceeded(tenant, quota, allowance, retry);
    }

    private static QuotaExceededException Exceeded(string tenant, string quota, string allowance, TimeSpan? retryAfter)
    {
        string who = tenant.Length > 0 ? $"tenant '{tenant}'" : "callers without a tenant";
        string key = $"{QuotaOptions.Section}:{quota}";
        return new QuotaExceededException(
            tenant,
            key,
            retryAfter is null ? $"{key}: {who} may send {allowance}" : $"{key}: {who} may have {allowance}; retry later",
            retryAfter);
    }

    /// <summary>Several leases released together.</summary>
    private sealed class Leases : IDisposable
    {
        private readonly List<RateLimitLease> _held = [];

        public void Add(RateLimitLease lease) => _held.Add(lease);

        public void Dispose()
        {
            foreach (RateLimitLease lease in _held)
            {
                lease.Dispose();
            }

            _held.Clear();
        }
    }
}
