using System.ComponentModel.DataAnnotations;

namespace RestoreGrpc.Server.Quotas;

/// <summary>One tenant's quotas (<c>Restore:Quotas:Tenants:NAME</c>), or an API key's own (<c>Restore:Auth:ApiKeys:N:Quotas</c>); an
/// unset value is the section's default (for a key: its tenant's).</summary>
public sealed class TenantQuotaOptions
{
    [Range(0, int.MaxValue)]
    public int? MaxConcurrentUnary { get; set; }

    [Range(0, int.MaxValue)]
    public int? MaxConcurrentStreams { get; set; }

    [Range(0, int.MaxValue)]
    public int? MaxQueuedTiles { get; set; }

    [Range(0, long.MaxValue)]
    public long? InputPixelsPerMinute { get; set; }

    [Range(0, long.MaxValue)]
    public long? MaxImagePixels { get; set; }

    /// <summary>Models (SR models, face restorers and detectors) the tenant may name; unset or empty = the default's list.</summary>
    public List<string>? AllowedModels { get; set; }
}
