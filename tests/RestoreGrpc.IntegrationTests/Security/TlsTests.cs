using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>TLS and mTLS on a real Kestrel with certificates made here: what connects, what is refused, who the
/// caller becomes, and certificate rotation without a restart.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("RestoreGrpc test CA");
    private readonly ConcurrentQueue<string> _principals = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _authority.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_client_trusting_the_ca_is_served_over_http2_and_tls()
    {
        await using LoopbackServer server = await StartAsync(ClientPolicy: null);
        Assert.Equal("https", server.Address.Scheme);
        X509Certificate2? seen = null;
        using var channel = Channel(server, _authority, client: null, onServerCertificate: c => seen = c);
        var models = await new RestoreService.RestoreServiceClient(channel).ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);
        Assert.NotEmpty(models.Models);
        Assert.Equal("CN=restoregrpc-test-server", seen?.Subject);
    }

    [Fact]
    public async Task A_pkcs12_certificate_is_served()
    {
        using X509Certificate2 certificate = TestCertificates.IssueServer(_authority, "restoregrpc-pkcs12");
        string pfx = Path.Combine(_temp.Path, "server.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "secret"), Ct);
        await using LoopbackServer server = await LoopbackServer.StartAsync(
            "--urls", "https://127.0.0.1:0", "--Restore:Tls:Enabled=true", $"--Restore:Tls:CertificatePath={pfx}", "--Restore:Tls:Password=secret");
        Assert.Equal(certificate.Thumbprint, await ServerThumbprintAsync(server));
    }

    [Fact]
    public async Task Plaintext_to_a_tls_server_fails()
    {
        await using LoopbackServer server = await StartAsync(ClientPolicy: null);
        using var channel = GrpcChannel.ForAddress(new UriBuilder(server.Address) { Scheme = "http" }.Uri);
        var error = await Assert.ThrowsAsync<RpcException>(() => new RestoreService.RestoreServiceClient(channel).ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct).ResponseAsync);
        Assert.NotEqual(StatusCode.OK, error.StatusCode);
    }

    [Fact]
    public async Task A_client_trusting_another_ca_refuses_the_server()
    {
        await using LoopbackServer server = await StartAsync(ClientPolicy: null);
        using X509Certificate2 other = TestCertificates.CreateAuthority("some other CA");
        using var channel = Channel(server, other, client: null);
        var error = await Assert.ThrowsAsync<RpcException>(() => new RestoreService.RestoreServiceClient(channel).ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct).ResponseAsync);
        Assert.Contains("SSL connection could not be established", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Required_mtls_serves_a_valid_client_as_its_principal_and_refuses_missing_expired_and_foreign_certificates()
    {
        await using LoopbackServer server = await StartAsync("Required");
        using X509Certificate2 good = TestCertificates.IssueClient(_authority, "tenant-a");
        using (var channel = Channel(server, _authority, good))
        {
            var models = await new RestoreService.RestoreServiceClient(channel).ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);
            Assert.NotEmpty(models.Models);
        }

        Assert.Contains("tenant-a", _principals);

        using X509Certificate2 expired = TestCertificates.IssueClient(_authority, "tenant-old", expired: true);
        using X509Certificate2 foreignCa = TestCertificates.CreateAuthority("foreign CA");
        using X509Certificate2 foreign = TestCertificates.IssueClient(foreignCa, "tenant-x");
        foreach ((string why, X509Certificate2? certificate) in new[] { ("missing", (X509Certificate2?)null), ("expired", expired), ("foreign CA", foreign) })
        {
            using var channel = Channel(server, _authority, certificate);
            var error = await Assert.ThrowsAsync<RpcException>(() => new RestoreService.RestoreServiceClient(channel).ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct).ResponseAsync);
            Assert.True(error.StatusCode != StatusCode.OK, why);
        }

        Assert.DoesNotContain("tenant-old", _principals);
        Assert.DoesNotContain("tenant-x", _principals);
    }

    [Fact]
    public async Task Optional_mtls_serves_callers_without_a_certificate_anonymously()
    {
        await using LoopbackServer server = await StartAsync("Optional");
        using var channel = Channel(server, _authority, client: null);
        var models = await new RestoreService.RestoreServiceClient(channel).ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);
        Assert.NotEmpty(models.Models);
        Assert.Contains(string.Empty, _principals);
    }

    [Fact]
    public async Task A_rotated_certificate_is_served_from_the_next_connection_without_a_restart()
    {
        await using LoopbackServer server = await StartAsync(ClientPolicy: null);
        string first = await ServerThumbprintAsync(server);

        using X509Certificate2 rotated = TestCertificates.IssueServer(_authority, "restoregrpc-rotated");
        TestCertificates.WritePem(rotated, _temp.Path, "server");
        string second = await ServerThumbprintAsync(server);

        Assert.NotEqual(first, second);
        Assert.Equal(rotated.Thumbprint, second);
    }

    [Fact]
    public async Task Tls_with_a_plaintext_url_refuses_to_start()
    {
        using X509Certificate2 certificate = TestCertificates.IssueServer(_authority);
        (string cert, string key) = TestCertificates.WritePem(certificate, _temp.Path, "server");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => LoopbackServer.StartAsync(
            "--Restore:Tls:Enabled=true", $"--Restore:Tls:CertificatePath={cert}", $"--Restore:Tls:KeyPath={key}"));
        Assert.Contains("plaintext", error.Message, StringComparison.Ordinal);
    }

    private async Task<string> ServerThumbprintAsync(LoopbackServer server)
    {
        X509Certificate2? seen = null;
        using var channel = Channel(server, _authority, client: null, onServerCertificate: c => seen = c);
        await new RestoreService.RestoreServiceClient(channel).ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);
        return seen?.Thumbprint ?? throw new InvalidOperationException("no server certificate seen");
    }

    private async Task<LoopbackServer> StartAsync(string? ClientPolicy)
    {
        using X509Certificate2 certificate = TestCertificates.IssueServer(_authority);
        (string cert, string key) = TestCertificates.WritePem(certificate, _temp.Path, "server");
        string bundle = TestCertificates.WriteBundle(_temp.Path, "clients-ca", _authority);
        List<string> settings =
        [
            "--urls", "https://127.0.0.1:0",
            "--Restore:Tls:Enabled=true",
            $"--Restore:Tls:CertificatePath={cert}",
            $"--Restore:Tls:KeyPath={key}",
        ];
        if (ClientPolicy is not null)
        {
            settings.Add($"--Restore:Tls:ClientCertificates={ClientPolicy}");
            settings.Add($"--Restore:Tls:ClientCaPath={bundle}");
        }

        return await LoopbackServer.StartAsync(
            builder => builder.Services.AddSingleton<IStartupFilter>(new PrincipalCapture(_principals)),
            [.. settings]);
    }

    internal static GrpcChannel Channel(LoopbackServer server, X509Certificate2 trusted, X509Certificate2? client, Action<X509Certificate2>? onServerCertificate = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (certificate is null)
            {
                return false;
            }

            var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            onServerCertificate?.Invoke(presented);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(presented);
        };
        if (client is not null)
        {
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
        }

        return GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    /// <summary>Records each request's authenticated principal name (empty for anonymous) after the pipeline ran.</summary>
    private sealed class PrincipalCapture(ConcurrentQueue<string> names) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate pipeline) =>
            {
                await pipeline(context);
                names.Enqueue(context.User.Identity is { IsAuthenticated: true } identity ? identity.Name ?? "?" : string.Empty);
            });
            next(app);
        };
    }
}
