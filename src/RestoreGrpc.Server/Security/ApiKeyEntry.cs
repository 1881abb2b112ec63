using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using RestoreGrpc.Server.Quotas;

namespace RestoreGrpc.Server.Security;

/// <summary>One API key (<c>Restore:Auth:ApiKeys:N</c>): its SHA-256, who it is, and whether it still works.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>A name for logs and audits (never the key).</summary>
    [Required]
    public string Id { get; set; } = string.Empty;

    /// <summary>Lower- or upper-case hex SHA-256 of the key's UTF-8 bytes: <c>printf %s "$KEY" | sha256sum</c>.</summary>
    [Required]
    [RegularExpression("^[0-9a-fA-F]{64}$", ErrorMessage = "must be 64 hex digits (printf %s \"$KEY\" | sha256sum)")]
    public string Sha256 { get; set; } = string.Empty;

    /// <summary>The tenant the key's calls belong to (scheduling, quotas, stream ownership, telemetry).</summary>
    [Required]
    public string Tenant { get; set; } = string.Empty;

    /// <summary>Roles, e.g. <c>admin</c> (model administration).</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>The key's own quotas (<c>Restore:Auth:ApiKeys:N:Quotas:*</c>, the keys of a
    /// <c>Restore:Quotas:Tenants:NAME</c> entry): when set, the key's calls are counted apart from the rest of its
    /// tenant's, under the values set here over its tenant's (which an unset value keeps). Scheduling stays the tenant's.</summary>
    [ValidateObjectMembers]
    public TenantQuotaOptions? Quotas { get; set; }

    /// <summary>A revoked key is refused (UNAUTHENTICATED), like an unknown one.</summary>
    public bool Revoked { get; set; }
}
