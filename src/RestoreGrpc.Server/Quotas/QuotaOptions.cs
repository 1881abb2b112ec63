using System.ComponentModel.DataAnnotations;

namespace RestoreGrpc.Server.Quotas;

/// <summary>Quotas per tenant (section <c>Restore:Quotas</c>): the values here apply to every tenant, including
/// unknown and self-declared ones (one partition per tenant name; all anonymous callers without a name share the
/// empty one); <see cref="Tenants"/> overrides them per tenant. 0 (or an empty list) = no limit.</summary>
public sealed class QuotaOptions
{
    public const string Section = "Restore:Quotas";

    /// <summary>Unary calls (Restore, DetectFaces) one tenant may have running at once.</summary>
    [Range(0, int.MaxValue)]
    public int MaxConcurrentUnary { get; set; }

    /// <summary>
    /// Unary calls all tenants together may run before each active tenant is held to an equal share of them
    /// (⌊this / active tenants⌋, at least one; <see cref="TenantFairShare"/>); a tenant alone is held only to its own
    /// quota. 0: off. On a CPU-bound server the processor count is the natural value: on 2 cores a tenant flooding
    /// beside a quiet one then leaves the quiet one's p99 where it was alone.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int FairShareConcurrentUnary { get; set; }

    /// <summary>RestoreStream calls one tenant may have open at once.</summary>
    [Range(0, int.MaxValue)]
    public int MaxConcurrentStreams { get; set; }

    /// <summary>Tiles one tenant may have queued or running at once: a unary call's whole plan, a stream's credit window.</summary>
    [Range(0, int.MaxValue)]
    public int MaxQueuedTiles { get; set; }

    /// <summary>Input pixels one tenant may submit per minute (counted over <see cref="RateWindowSeconds"/>, scaled).</summary>
    [Range(0, long.MaxValue)]
    public long InputPixelsPerMinute { get; set; }

    /// <summary>Largest input (width × height) one request of the tenant may have.</summary>
    [Range(0, long.MaxValue)]
    public long MaxImagePixels { get; set; }

    /// <summary>The sliding window <see cref="InputPixelsPerMinute"/> is counted over (its budget scaled to it).</summary>
    [Range(1, 3600)]
    public double RateWindowSeconds { get; set; } = 60;

    /// <summary>Models every tenant may use unless its own entry lists others; empty = all.</summary>
    public List<string> AllowedModels { get; set; } = [];

    /// <summary>Per-tenant overrides, by tenant name.</summary>
    public Dictionary<string, TenantQuotaOptions> Tenants { get; set; } = new(StringComparer.Ordinal);
}
