namespace RestoreGrpc.Server.Security;

/// <summary>Transport security (section <c>Restore:Tls</c>). Off by default: the server then speaks plaintext
/// HTTP/2 (h2c), which is only for loopback, development, or behind a TLS-terminating proxy.</summary>
public sealed class TlsOptions
{
    public const string Section = "Restore:Tls";

    /// <summary>Serve every endpoint over TLS 1.2+ with HTTP/2 negotiated by ALPN.</summary>
    public bool Enabled { get; set; }

    /// <summary>The server certificate: a PEM file (with <see cref="KeyPath"/>) or a PKCS#12 file (.pfx/.p12).
    /// Reloaded when the file (or the key's) changes, at the next handshake.</summary>
    public string CertificatePath { get; set; } = string.Empty;

    /// <summary>The PEM private key, when <see cref="CertificatePath"/> is PEM without the key in it.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of a PKCS#12 file or an encrypted PEM key.</summary>
    public string? Password { get; set; }

    /// <summary>Client certificates: <c>None</c>, <c>Optional</c> (validated when sent) or <c>Required</c>.</summary>
    public ClientCertificatePolicy ClientCertificates { get; set; } = ClientCertificatePolicy.None;

    /// <summary>With TLS on, an <c>http://</c> URL is refused at start unless this is set (e.g. a plaintext metrics
    /// address on a private interface).</summary>
    public bool AllowPlaintextEndpoints { get; set; }

    /// <summary>PEM bundle of the CAs client certificates must chain to (mTLS); required unless
    /// <see cref="ClientCertificates"/> is <c>None</c>.</summary>
    public string? ClientCaPath { get; set; }
}
