namespace RestoreGrpc.Server.Security;

/// <summary>The claims every authentication scheme here gives its principal, whatever the credential was: the
/// policies and the tenant lookup read only these.</summary>
public static class RestoreClaimTypes
{
    public const string Tenant = "restore:tenant";

    public const string Role = "restore:role";

    /// <summary>Which credential authenticated the call (<c>api-key:ID</c>, <c>jwt:SUBJECT</c>, <c>certificate:CN</c>); for logs.</summary>
    public const string Credential = "restore:credential";
}
