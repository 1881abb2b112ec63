namespace RestoreGrpc.Server.Quotas;

/// <summary>Whose quotas a call counts against: its tenant's, or an API key's own when the key has
/// <see cref="Security.ApiKeyEntry.Quotas"/> (then the key's calls are counted apart from the rest of the tenant's).</summary>
/// <param name="Tenant">The caller's tenant (also the scheduling tenant).</param>
/// <param name="ApiKeyId">The API key's <see cref="Security.ApiKeyEntry.Id"/> when the key has quotas of its own, else null.</param>
internal readonly record struct QuotaSubject(string Tenant, string? ApiKeyId = null)
{
    /// <summary>The limiters' partition: the tenant, or the tenant and the key (a separator no configured name holds).</summary>
    public string Partition => ApiKeyId is null ? Tenant : $"{Tenant}\u001fapi-key:{ApiKeyId}";

    /// <summary>For messages: <c>tenant 'x'</c>, <c>API key 'k' of tenant 'x'</c>, or the anonymous callers.</summary>
    public string Describe()
    {
        string tenant = Tenant.Length > 0 ? $"tenant '{Tenant}'" : "callers without a tenant";
        return ApiKeyId is null ? tenant : $"API key '{ApiKeyId}' of {tenant}";
    }
}
