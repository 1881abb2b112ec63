using System.ComponentModel.DataAnnotations;

namespace RestoreGrpc.Server.Quotas;

/// <summary>One tenant's quotas (<c>Restore:Quotas:Tenants:NAME</c>); an unset value is the section's default.</summary>
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

    /// <summary>Models (SR models and face restorers) the tenant may use; unset or empty = the default's list.</summary>
    public List<string>? AllowedModels { get; set; }
}
