namespace RestoreGrpc.Core.Errors;

/// <summary>A tenant's quota refused work (RESOURCE_EXHAUSTED with google.rpc.QuotaFailure). <see cref="RetryAfter"/>
/// is when retrying can succeed; null when the same request never will (it is larger than the quota allows).</summary>
public sealed class QuotaExceededException : RestoreException
{
    public QuotaExceededException(string tenant, string quota, string message, TimeSpan? retryAfter)
        : base(message)
    {
        Tenant = tenant;
        Quota = quota;
        RetryAfter = retryAfter;
    }

    /// <summary>The tenant whose quota it is (the QuotaFailure's subject).</summary>
    public string Tenant { get; }

    /// <summary>Which quota, by its configuration key (the QuotaFailure's description starts with it).</summary>
    public string Quota { get; }

    public TimeSpan? RetryAfter { get; }
}
