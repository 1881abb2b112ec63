using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Server.Security;

namespace RestoreGrpc.Server.Quotas;

/// <summary>
/// Enforces <see cref="QuotaOptions"/> with System.Threading.RateLimiting limiters partitioned by tenant: concurrency
/// limiters (no queue: a call over the quota is refused at once) for unary calls, streams and queued tiles, a sliding
/// window for input pixels. A refusal is a <see cref="QuotaExceededException"/> (RESOURCE_EXHAUSTED with QuotaFailure
/// and RetryInfo); a model outside the tenant's list is PERMISSION_DENIED. A call counts against its
/// <see cref="QuotaSubject"/>: its tenant, or its API key when the key has quotas of its own. Idle partitions are
/// dropped by the limiters themselves, and only configured names keep a resolved quota, so self-declared tenant names
/// do not pile up.
/// </summary>
internal sealed class TenantQuotas : IDisposable
{
    /// <summary>Pixels are counted in units of this many (the limiters count in int permits).</summary>
    private const int PixelUnit = 1024;

    private static readonly TimeSpan ConcurrencyRetry = TimeSpan.FromSeconds(1);

    private readonly QuotaOptions _options;
    private readonly List<ApiKeyEntry> _apiKeys;

    /// <summary>Every tenant without an entry of its own and every key without quotas of its own: one resolution
    /// (self-declared names are unbounded, so they are not cached one by one).</summary>
    private readonly TenantQuota _defaults;

    /// <summary>Configured tenants and API keys with quotas, by partition: bounded by the configuration.</summary>
    private readonly ConcurrentDictionary<string, TenantQuota> _configured = new(StringComparer.Ordinal);
    private readonly PartitionedRateLimiter<QuotaSubject> _unary;
    private readonly PartitionedRateLimiter<QuotaSubject> _streams;
    private readonly PartitionedRateLimiter<QuotaSubject> _tiles;
    private readonly PartitionedRateLimiter<QuotaSubject> _pixels;
    private readonly TenantFairShare _fairShare;

    public TenantQuotas(IOptions<QuotaOptions> options, IOptions<AuthOptions> auth)
    {
        _options = options.Value;
        _apiKeys = auth.Value.ApiKeys;
        _defaults = TenantQuota.Resolve(_options, string.Empty);
        _unary = Concurrency(q => q.MaxConcurrentUnary);
        _streams = Concurrency(q => q.MaxConcurrentStreams);
        _tiles = Concurrency(q => q.MaxQueuedTiles);
        _fairShare = new TenantFairShare(_options.FairShareConcurrentUnary);
        _pixels = PartitionedRateLimiter.Create<QuotaSubject, string>(subject => PixelBudget(For(subject).InputPixelsPerMinute) is { } budget
            ? RateLimitPartition.GetSlidingWindowLimiter(subject.Partition, _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = budget,
                Window = TimeSpan.FromSeconds(_options.RateWindowSeconds),
                SegmentsPerWindow = 6,
                QueueLimit = 0,
                AutoReplenishment = true,
            })
            : RateLimitPartition.GetNoLimiter(subject.Partition));
    }

    /// <summary>The subject a call counts against: the tenant's, or its API key's when the key has quotas of its own.</summary>
    /// <param name="credential">The principal's <see cref="RestoreClaimTypes.Credential"/> claim, if any.</param>
    public QuotaSubject SubjectOf(string tenant, string? credential)
    {
        const string ApiKeyPrefix = "api-key:";
        if (credential is not null && credential.StartsWith(ApiKeyPrefix, StringComparison.Ordinal))
        {
            string id = credential[ApiKeyPrefix.Length..];
            if (_apiKeys.Any(k => k.Quotas is not null && string.Equals(k.Id, id, StringComparison.Ordinal)))
            {
                return new QuotaSubject(tenant, id);
            }
        }

        return new QuotaSubject(tenant);
    }

    public TenantQuota For(QuotaSubject subject)
    {
        if (subject.ApiKeyId is null && !_options.Tenants.ContainsKey(subject.Tenant))
        {
            return _defaults;
        }

        return _configured.GetOrAdd(subject.Partition, _ => Resolve(subject));
    }

    /// <summary>PERMISSION_DENIED unless every named model is on the subject's list (an empty list allows all).</summary>
    public void CheckModels(QuotaSubject subject, params string?[] models)
    {
        IReadOnlySet<string> allowed = For(subject).AllowedModels;
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

    /// <summary>Whether the subject may use the model (for listing).</summary>
    public bool Allows(QuotaSubject subject, string model) => For(subject).AllowedModels is { Count: 0 } || For(subject).AllowedModels.Contains(model);

    /// <summary>Admits one unary call of <paramref name="pixels"/> input pixels planned as <paramref name="tiles"/>
    /// tiles: size cap, pixel rate, concurrency and queued tiles. Dispose the lease when the call's response is sent.</summary>
    /// <param name="share">The tenant's fair share (<see cref="QuotaOptions.FairShareConcurrentUnary"/>; a no-op when
    /// off): dispose it when the call's work is done, before its response is written.</param>
    /// <exception cref="QuotaExceededException">A quota refused it.</exception>
    public IDisposable AdmitUnary(QuotaSubject subject, long pixels, int tiles, out IDisposable share)
    {
        TenantQuota quota = For(subject);
        CheckImageSize(subject, quota, pixels);
        var leases = new Leases();
        try
        {
            leases.Add(Acquire(_unary, subject, quota, 1, nameof(TenantQuota.MaxConcurrentUnary), $"{quota.MaxConcurrentUnary} unary calls at once"));
            leases.Add(AdmitTiles(subject, tiles));
            AcquirePixels(leases, subject, quota, pixels);
            share = AdmitShare(subject, quota);
            return leases;
        }
        catch
        {
            leases.Dispose();
            throw;
        }
    }

    private IDisposable AdmitShare(QuotaSubject subject, TenantQuota quota)
    {
        if (!_fairShare.Enabled)
        {
            return new Leases();
        }

        RateLimitLease share = _fairShare.TryEnter(subject.Tenant, out int calls);
        if (!share.IsAcquired)
        {
            throw Exceeded(subject, quota, nameof(QuotaOptions.FairShareConcurrentUnary), $"{calls} unary call(s) at once while other tenants are active", ConcurrencyRetry);
        }

        return share;
    }

    /// <summary>Admits one stream (its open-stream count) before its header is read further.</summary>
    public IDisposable AdmitStream(QuotaSubject subject)
    {
        TenantQuota quota = For(subject);
        return Acquire(_streams, subject, quota, 1, nameof(TenantQuota.MaxConcurrentStreams), $"{quota.MaxConcurrentStreams} streams open at once");
    }

    /// <summary>Admits a stream job's image on this server (a new job, or one rebuilt from a resume's header): size
    /// cap and pixel rate (held until the stream ends). 0 pixels (a resume of a job this server holds, counted when
    /// it was opened) takes nothing.</summary>
    public IDisposable AdmitStreamImage(QuotaSubject subject, long pixels)
    {
        var leases = new Leases();
        if (pixels <= 0)
        {
            return leases;
        }

        TenantQuota quota = For(subject);
        CheckImageSize(subject, quota, pixels);
        AcquirePixels(leases, subject, quota, pixels);
        return leases;
    }

    /// <summary>Admits a stream's credit window: the tiles it can have queued at once.</summary>
    public RateLimitLease AdmitTiles(QuotaSubject subject, int tiles)
    {
        // A plan of more tiles than the quota takes the whole quota (it would never fit otherwise).
        TenantQuota quota = For(subject);
        return Acquire(_tiles, subject, quota, Math.Min(tiles, Math.Max(1, quota.MaxQueuedTiles)), nameof(TenantQuota.MaxQueuedTiles), $"{quota.MaxQueuedTiles} tiles queued at once");
    }

    public void Dispose()
    {
        _unary.Dispose();
        _streams.Dispose();
        _tiles.Dispose();
        _pixels.Dispose();
    }

    private TenantQuota Resolve(QuotaSubject subject)
    {
        if (subject.ApiKeyId is null)
        {
            return TenantQuota.Resolve(_options, subject.Tenant);
        }

        int index = _apiKeys.FindIndex(k => string.Equals(k.Id, subject.ApiKeyId, StringComparison.Ordinal));
        return TenantQuota.Resolve(_options, subject.Tenant, _apiKeys[index].Quotas, $"{AuthOptions.Section}:ApiKeys:{index}:Quotas");
    }

    private static void CheckImageSize(QuotaSubject subject, TenantQuota quota, long pixels)
    {
        if (quota.MaxImagePixels > 0 && pixels > quota.MaxImagePixels)
        {
            throw Exceeded(subject, quota, nameof(TenantQuota.MaxImagePixels), $"images of at most {quota.MaxImagePixels} pixels (this one has {pixels})", retryAfter: null);
        }
    }

    private void AcquirePixels(Leases leases, QuotaSubject subject, TenantQuota quota, long pixels)
    {
        if (PixelBudget(quota.InputPixelsPerMinute) is not { } budget)
        {
            return;
        }

        // A request larger than the whole window's budget takes the whole budget (it would never fit otherwise).
        int units = (int)Math.Clamp((pixels + PixelUnit - 1) / PixelUnit, 1, budget);
        leases.Add(Acquire(_pixels, subject, quota, units, nameof(TenantQuota.InputPixelsPerMinute), $"{quota.InputPixelsPerMinute} input pixels per minute"));
    }

    /// <summary>The sliding window's budget in pixel units, or null for no limit.</summary>
    private int? PixelBudget(long pixelsPerMinute) => pixelsPerMinute <= 0
        ? null
        : (int)Math.Clamp(pixelsPerMinute * _options.RateWindowSeconds / 60 / PixelUnit, 1, int.MaxValue);

    private PartitionedRateLimiter<QuotaSubject> Concurrency(Func<TenantQuota, int> limit) =>
        PartitionedRateLimiter.Create<QuotaSubject, string>(subject => limit(For(subject)) is > 0 and int permits
            ? RateLimitPartition.GetConcurrencyLimiter(subject.Partition, _ => new ConcurrencyLimiterOptions { PermitLimit = permits, QueueLimit = 0 })
            : RateLimitPartition.GetNoLimiter(subject.Partition));

    private static RateLimitLease Acquire(PartitionedRateLimiter<QuotaSubject> limiter, QuotaSubject subject, TenantQuota quota, int permits, string name, string allowance)
    {
        RateLimitLease lease = limiter.AttemptAcquire(subject, permits);
        if (lease.IsAcquired)
        {
            return lease;
        }

        TimeSpan retry = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) && after > TimeSpan.Zero ? after : ConcurrencyRetry;
        lease.Dispose();
        throw Exceeded(subject, quota, name, allowance, retry);
    }

    private static QuotaExceededException Exceeded(QuotaSubject subject, TenantQuota quota, string name, string allowance, TimeSpan? retryAfter)
    {
        string key = quota.KeyOf(name);
        return new QuotaExceededException(
            subject.Tenant,
            key,
            retryAfter is null ? $"{key}: {subject.Describe()} may send {allowance}" : $"{key}: {subject.Describe()} may have {allowance}; retry later",
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
