using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace RestoreGrpc.Client.Security;

/// <summary>
/// Validates the server's certificate against a private set of authorities instead of the system store: the chain
/// must end at one of them, and the certificate must name the host dialled (the usual name check still applies).
/// </summary>
internal sealed class ServerCertificateTrust(X509Certificate2Collection authorities)
{
    public bool Validate(X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            // Intermediates the server sent along.
            foreach (X509ChainElement element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}
