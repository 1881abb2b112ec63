using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace RestoreGrpc.Server.Security;

/// <summary>Authentication and tenants (section <c>Restore:Auth</c>). Off by default: every caller is then anonymous
/// and the tenant is whatever it declares in <c>x-restore-tenant</c> (self-declared, for fair scheduling only). On:
/// every RestoreService call needs a principal (an API key, a JWT bearer token or a verified client certificate), and
/// its tenant comes from that principal.</summary>
public sealed class AuthOptions
{
    public const string Section = "Restore:Auth";

    /// <summary>Require a principal on every RestoreService call.</summary>
    public bool Enabled { get; set; }

    /// <summary>grpc.health.v1 stays anonymous when auth is on (probes carry no credentials).</summary>
    public bool AllowAnonymousHealth { get; set; } = true;

    /// <summary>Server reflection stays anonymous when auth is on.</summary>
    public bool AllowAnonymousReflection { get; set; } = true;

    /// <summary>API keys, stored as the SHA-256 of the key (never the key itself).</summary>
    [ValidateEnumeratedItems]
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>JWT bearer tokens are accepted when an issuer is set: its <c>iss</c>.</summary>
    public string? JwtIssuer { get; set; }

    /// <summary>The <c>aud</c> a token must carry (required with <see cref="JwtIssuer"/>).</summary>
    public string? JwtAudience { get; set; }

    /// <summary>PEM file with the issuer's public key (RSA or EC), or several concatenated.</summary>
    public string? JwtSigningKeyPath { get; set; }

    /// <summary>Base64 of an HMAC key (HS256/384/512), for issuers that share a secret.</summary>
    public string? JwtSymmetricKey { get; set; }

    /// <summary>A JWKS file (<c>{"keys":[...]}</c>) with the issuer's keys.</summary>
    public string? JwtJwksPath { get; set; }

    /// <summary>Tolerated clock difference when checking a token's <c>exp</c>/<c>nbf</c>.</summary>
    [Range(0, 600)]
    public int JwtClockSkewSeconds { get; set; } = 30;

    /// <summary>The token claim naming the caller's tenant.</summary>
    [Required]
    public string TenantClaim { get; set; } = "tenant";

    /// <summary>The token claim holding the caller's roles (a string or an array).</summary>
    [Required]
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Client-certificate principals (mTLS, <c>Restore:Tls:ClientCertificates</c>): a subject CN listed here
    /// gets its tenant and roles; any other verified certificate is tenant = its CN, without roles.</summary>
    [ValidateEnumeratedItems]
    public List<CertificateIdentity> ClientCertificates { get; set; } = [];

    internal bool JwtEnabled => !string.IsNullOrWhiteSpace(JwtIssuer);
}
