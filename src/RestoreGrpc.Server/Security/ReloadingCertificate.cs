using System.Security.Cryptography.X509Certificates;

namespace RestoreGrpc.Server.Security;

/// <summary>
/// The server certificate from <see cref="TlsOptions"/>, loaded again when its files change: every handshake
/// compares the files' write times and sizes (two stat calls) and reloads on a difference, so a rotated
/// certificate is served from the next connection without a restart. A half-written rotation (unreadable files)
/// keeps the previous certificate and is retried on the next handshake.
/// </summary>
internal sealed partial class ReloadingCertificate : IDisposable
{
    private readonly TlsOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private X509Certificate2 _current;
    private string _stamp;

    public ReloadingCertificate(TlsOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _stamp = Stamp();
        _current = Load(); // a bad configuration fails the start
        LogLoaded(_logger, _current.Subject, _current.Thumbprint, _current.NotAfter);
    }

    /// <summary>The certificate to present now.</summary>
    public X509Certificate2 Current
    {
        get
        {
            string stamp = Stamp();
            lock (_lock)
            {
                if (stamp != _stamp)
                {
                    try
                    {
                        X509Certificate2 loaded = Load();
                        _current = loaded; // the previous one may still be in use by a handshake: left to the GC
                        _stamp = stamp;
                        LogLoaded(_logger, loaded.Subject, loaded.Thumbprint, loaded.NotAfter);
                    }
                    catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or ArgumentException)
                    {
                        LogReloadFailed(_logger, e.Message);
                    }
                }

                return _current;
            }
        }
    }

    public void Dispose() => _current.Dispose();

    private X509Certificate2 Load()
    {
        string path = _options.CertificatePath;
        string extension = Path.GetExtension(path);
        X509Certificate2 certificate;
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, _options.Password);
        }
        else
        {
            string keyPath = string.IsNullOrEmpty(_options.KeyPath) ? path : _options.KeyPath;
            using X509Certificate2 pem = string.IsNullOrEmpty(_options.Password)
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, _options.Password, keyPath);
            // SslStream on Linux needs the key in an exportable, persisted form: round-trip through PKCS#12.
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ArgumentException($"the TLS certificate {Path.GetFileName(path)} has no private key");
        }

        return certificate;
    }

    private string Stamp() => StampOf(_options.CertificatePath) + "|" + (string.IsNullOrEmpty(_options.KeyPath) ? string.Empty : StampOf(_options.KeyPath));

    private static string StampOf(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? $"{file.LastWriteTimeUtc.Ticks}:{file.Length}" : "missing";
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "TLS certificate {Subject} ({Thumbprint}), valid until {NotAfter:u}")]
    private static partial void LogLoaded(ILogger logger, string subject, string thumbprint, DateTime notAfter);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "TLS certificate files changed but could not be loaded; still serving the previous certificate: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string reason);
}
