namespace RestoreGrpc.Server.Security;

/// <summary>Whether TLS clients must present a certificate.</summary>
public enum ClientCertificatePolicy
{
    None,
    Optional,
    Required,
}
