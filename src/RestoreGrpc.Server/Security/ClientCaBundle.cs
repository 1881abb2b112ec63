using System.Security.Cryptography.X509Certificates;

namespace RestoreGrpc.Server.Security;

/// <summary>The CAs client certificates must chain to (mTLS), from a PEM bundle; the system's roots play no part.</summary>
internal sealed class ClientCaBundle
{
    public ClientCaBundle(string path)
    {
        Authorities = [];
        Authorities.ImportFromPemFile(path);
        if (Authorities.Count == 0)
        {
            throw new ArgumentException($"the client CA bundle {Path.GetFileName(path)} holds no certificate");
        }
    }

    public X509Certificate2Collection Authorities { get; }

    /// <summary>Whether <paramref name="certificate"/> is valid now, for client authentication, and chains to one of
    /// the bundle's CAs (revocation is not checked: no CRL or OCSP endpoint is assumed reachable).</summary>
    public bool Trusts(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // clientAuth
        try
        {
            return chain.Build(certificate);
        }
        finally
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                if (!ReferenceEquals(element.Certificate, certificate))
                {
                    element.Certificate.Dispose();
                }
            }
        }
    }
}
