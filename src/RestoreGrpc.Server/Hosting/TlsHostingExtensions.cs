using System.Security.Authentication;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using RestoreGrpc.Server.Security;

namespace RestoreGrpc.Server.Hosting;

/// <summary>TLS and mTLS from <see cref="TlsOptions"/>: https:// endpoints get the reloading server certificate,
/// HTTP/2 by ALPN, TLS 1.2+, and client certificates checked against the configured CA bundle; a verified client
/// certificate becomes the caller's principal (ASP.NET Core certificate authentication).</summary>
internal static class TlsHostingExtensions
{
    public static bool AddRestoreTls(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TlsOptions>()
            .Bind(builder.Configuration.GetSection(TlsOptions.Section))
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.CertificatePath), "Restore:Tls:CertificatePath is required when TLS is enabled")
            .Validate(o => o.ClientCertificates == ClientCertificatePolicy.None || !string.IsNullOrWhiteSpace(o.ClientCaPath), "Restore:Tls:ClientCaPath is required when client certificates are accepted")
            .ValidateOnStart();
        TlsOptions tls = builder.Configuration.GetSection(TlsOptions.Section).Get<TlsOptions>() ?? new();
        if (!tls.Enabled)
        {
            return false;
        }

        string urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? string.Empty;
        string? plaintext = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase));
        if (plaintext is not null && !tls.AllowPlaintextEndpoints)
        {
            throw new InvalidOperationException(
                $"Restore:Tls:Enabled is true but {plaintext} is plaintext: list https:// URLs only, or set Restore:Tls:AllowPlaintextEndpoints=true");
        }

        ClientCaBundle? clients = tls.ClientCertificates == ClientCertificatePolicy.None || string.IsNullOrWhiteSpace(tls.ClientCaPath)
            ? null
            : new ClientCaBundle(tls.ClientCaPath);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            ILogger logger = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReloadingCertificate).FullName!);
            var certificate = new ReloadingCertificate(tls, logger);
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificateSelector = (_, _) => certificate.Current;
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                https.ClientCertificateMode = tls.ClientCertificates switch
                {
                    ClientCertificatePolicy.Required => ClientCertificateMode.RequireCertificate,
                    ClientCertificatePolicy.Optional => ClientCertificateMode.AllowCertificate,
                    _ => ClientCertificateMode.NoCertificate,
                };
                if (clients is not null)
                {
                    https.ClientCertificateValidation = (presented, _, _) => clients.Trusts(presented);
                }
            });
        });

        if (clients is not null)
        {
            builder.Services.AddAuthentication(CertificateAuthenticationDefaults.AuthenticationScheme)
                .AddCertificate(certificate =>
                {
                    certificate.AllowedCertificateTypes = CertificateTypes.All;
                    certificate.ChainTrustValidationMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                    certificate.CustomTrustStore.AddRange(clients.Authorities);
                    certificate.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                });
        }

        return clients is not null;
    }
}
