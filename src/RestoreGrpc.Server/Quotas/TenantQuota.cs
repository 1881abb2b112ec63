namespace RestoreGrpc.Server.Quotas;

/// <summary>One quota subject's effective quotas: an API key's own values over its tenant's entry over the defaults.
/// 0 = no limit; empty models = all. <see cref="KeyOf"/> names the configuration key a value came from.</summary>
internal sealed record TenantQuota(
    int MaxConcurrentUnary,
    int MaxConcurrentStreams,
    int MaxQueuedTiles,
    long InputPixelsPerMinute,
    long MaxImagePixels,
    IReadOnlySet<string> AllowedModels)
{
    /// <summary>The configuration section of the API key's own quotas (<c>Restore:Auth:ApiKeys:N:Quotas</c>), or null.</summary>
    public string? ApiKeySection { get; private init; }

    /// <summary>The quotas (by property name) the API key sets itself.</summary>
    public IReadOnlySet<string> ApiKeySets { get; private init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The configuration key of <paramref name="quota"/> (a property name) for this subject: the API key's
    /// own when it sets it, else the section's.</summary>
    public string KeyOf(string quota) => ApiKeySection is not null && ApiKeySets.Contains(quota)
        ? $"{ApiKeySection}:{quota}"
        : $"{QuotaOptions.Section}:{quota}";

    public static TenantQuota Resolve(QuotaOptions options, string tenant) => Resolve(options, tenant, keyQuotas: null, keySection: null);

    /// <param name="keyQuotas">The API key's own quotas, over the tenant's; null for none.</param>
    /// <param name="keySection">Their configuration section, for <see cref="KeyOf"/>.</param>
    public static TenantQuota Resolve(QuotaOptions options, string tenant, TenantQuotaOptions? keyQuotas, string? keySection)
    {
        ArgumentNullException.ThrowIfNull(options);
        TenantQuotaOptions? own = options.Tenants.GetValueOrDefault(tenant);
        List<string> models = keyQuotas?.AllowedModels is { Count: > 0 } keyListed ? keyListed
            : own?.AllowedModels is { Count: > 0 } listed ? listed
            : options.AllowedModels;
        var sets = new HashSet<string>(StringComparer.Ordinal);
        if (keyQuotas is not null)
        {
            Note(sets, nameof(MaxConcurrentUnary), keyQuotas.MaxConcurrentUnary);
            Note(sets, nameof(MaxConcurrentStreams), keyQuotas.MaxConcurrentStreams);
            Note(sets, nameof(MaxQueuedTiles), keyQuotas.MaxQueuedTiles);
            Note(sets, nameof(InputPixelsPerMinute), keyQuotas.InputPixelsPerMinute);
            Note(sets, nameof(MaxImagePixels), keyQuotas.MaxImagePixels);
        }

        return new TenantQuota(
            keyQuotas?.MaxConcurrentUnary ?? own?.MaxConcurrentUnary ?? options.MaxConcurrentUnary,
            keyQuotas?.MaxConcurrentStreams ?? own?.MaxConcurrentStreams ?? options.MaxConcurrentStreams,
            keyQuotas?.MaxQueuedTiles ?? own?.MaxQueuedTiles ?? options.MaxQueuedTiles,
            keyQuotas?.InputPixelsPerMinute ?? own?.InputPixelsPerMinute ?? options.InputPixelsPerMinute,
            keyQuotas?.MaxImagePixels ?? own?.MaxImagePixels ?? options.MaxImagePixels,
            new HashSet<string>(models.Select(m => m.Trim()), StringComparer.OrdinalIgnoreCase))
        {
            ApiKeySection = keyQuotas is null ? null : keySection,
            ApiKeySets = sets,
        };
    }

    private static void Note<T>(HashSet<string> sets, string quota, T? value)
        where T : struct
    {
        if (value is not null)
        {
            sets.Add(quota);
        }
    }
}
