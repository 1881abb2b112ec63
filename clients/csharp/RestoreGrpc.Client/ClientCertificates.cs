using System.Security.Cryptography.X509Certificates;

namespace RestoreGrpc.Client;

/// <summary>Loads the certificates <see cref="RestoreClientOptions"/> takes from the PEM files TLS tooling writes.</summary>
public static class ClientCertificates
{
    /// <summary>
    /// A client certificate (PEM, the leaf first) with its private key (PEM, PKCS#8/PKCS#1/EC; null: in the
    /// certificate's file), ready for mTLS. Throws <see cref="CertificateLoadException"/> naming the file when either
    /// cannot be read.
    /// </summary>
    public static X509Certificate2 FromPemFiles(string certificatePath, string? keyPath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificatePath);
        try
        {
            using X509Certificate2 loaded = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            // A PEM-loaded key is ephemeral; SslStream on Windows needs it persisted, so round-trip through PKCS#12.
            return X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), password: null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new CertificateLoadException($"cannot load the client certificate {certificatePath} with key {keyPath ?? certificatePath}: {ex.Message}", ex);
        }
    }

    /// <summary>Every certificate in a PEM bundle (e.g. a CA bundle); at least one, else <see cref="CertificateLoadException"/>.</summary>
    public static X509Certificate2Collection FromPemBundle(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new CertificateLoadException($"cannot read the CA bundle {path}: {ex.Message}", ex);
        }

        if (bundle.Count == 0)
        {
            throw new CertificateLoadException($"the CA bundle {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }

        return bundle;
    }
}
