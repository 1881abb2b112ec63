namespace RestoreGrpc.Server.Security;

/// <summary>The authorization policies, by name (<c>RequireAuthorization(RestorePolicies.Admin)</c>).</summary>
public static class RestorePolicies
{
    /// <summary>Any authenticated principal that has a tenant: every RestoreService call when auth is on.</summary>
    public const string User = "restore-user";

    /// <summary>A <see cref="User"/> with the role <see cref="AdminRole"/>: model administration (ModelAdminService).</summary>
    public const string Admin = "restore-admin";

    /// <summary>The role <see cref="Admin"/> requires.</summary>
    public const string AdminRole = "admin";
}
