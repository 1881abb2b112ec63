using System.ComponentModel.DataAnnotations;

namespace RestoreGrpc.Server.Security;

/// <summary>A client certificate's subject CN mapped to a tenant and roles (<c>Restore:Auth:ClientCertificates:N</c>).</summary>
public sealed class CertificateIdentity
{
    [Required]
    public string CommonName { get; set; } = string.Empty;

    /// <summary>Defaults to the CN itself.</summary>
    public string? Tenant { get; set; }

    public List<string> Roles { get; set; } = [];
}
