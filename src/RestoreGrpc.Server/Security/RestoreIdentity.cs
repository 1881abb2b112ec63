using System.Security.Claims;

namespace RestoreGrpc.Server.Security;

/// <summary>Builds the normalised identity (<see cref="RestoreClaimTypes"/>) each scheme hands to authorization.</summary>
internal static class RestoreIdentity
{
    public static ClaimsIdentity Create(string scheme, string tenant, IEnumerable<string> roles, string credential)
    {
        var identity = new ClaimsIdentity(scheme, RestoreClaimTypes.Tenant, RestoreClaimTypes.Role);
        if (!string.IsNullOrWhiteSpace(tenant))
        {
            identity.AddClaim(new Claim(RestoreClaimTypes.Tenant, tenant.Trim()));
        }

        foreach (string role in roles.Where(r => !string.IsNullOrWhiteSpace(r)).Distinct(StringComparer.Ordinal))
        {
            identity.AddClaim(new Claim(RestoreClaimTypes.Role, role.Trim()));
        }

        identity.AddClaim(new Claim(RestoreClaimTypes.Credential, credential));
        return identity;
    }
}
