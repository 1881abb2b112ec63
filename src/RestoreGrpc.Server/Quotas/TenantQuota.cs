namespace RestoreGrpc.Server.Quotas;

/// <summary>One tenant's effective quotas: its own entry over the defaults. 0 = no limit; empty models = all.</summary>
internal sealed record TenantQuota(
    int MaxConcurrentUnary,
    int MaxConcurrentStreams,
    int MaxQueuedTiles,
    long InputPixelsPerMinute,
    long MaxImagePixels,
    IReadOnlySet<string> AllowedModels)
{
    public static TenantQuota Resolve(QuotaOptions options, string tenant)
    {
        TenantQuotaOptions? own = options.Tenants.GetValueOrDefault(tenant);
        List<string> models = own?.AllowedModels is { Count: > 0 } listed ? listed : options.AllowedModels;
        return new TenantQuota(
            own?.MaxConcurrentUnary ?? options.MaxConcurrentUnary,
            own?.MaxConcurrentStreams ?? options.MaxConcurrentStreams,
            own?.MaxQueuedTiles ?? options.MaxQueuedTiles,
            own?.InputPixelsPerMinute ?? options.InputPixelsPerMinute,
            own?.MaxImagePixels ?? options.MaxImagePixels,
            new HashSet<string>(models.Select(m => m.Trim()), StringComparer.OrdinalIgnoreCase));
    }
}
