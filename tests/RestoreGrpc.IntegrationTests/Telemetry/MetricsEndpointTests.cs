using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>The scrape endpoint is a Kestrel endpoint of its own, so the gRPC endpoint can use TLS next to it.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task A_TLS_gRPC_endpoint_and_a_plaintext_metrics_endpoint_serve_side_by_side()
    {
        // Before, a metrics address made the server re-bind every listen address itself and refuse https:// ones.
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory();
        using X509Certificate2 certificate = SelfSigned();
        string pfx = Path.Combine(temp.Path, "server.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test"), ct);

        await using LoopbackServer server = await LoopbackServer.StartAsync(
            "--Kestrel:Endpoints:Grpc:Url=https://127.0.0.1:0",
            $"--Kestrel:Endpoints:Grpc:Certificate:Path={pfx}",
            "--Kestrel:Endpoints:Grpc:Certificate:Password=test",
            "--Kestrel:Endpoints:Metrics:Url=http://127.0.0.1:0");
        Assert.Equal(Uri.UriSchemeHttps, server.Address.Scheme);
        Assert.Equal(Uri.UriSchemeHttp, server.MetricsAddress.Scheme);

        string thumbprint = certificate.Thumbprint;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is X509Certificate2 c && c.Thumbprint == thumbprint,
            },
        };
        using GrpcChannel channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { HttpHandler = handler });
        ListModelsResponse catalog = await new RestoreService.RestoreServiceClient(channel).ListModelsAsync(new ListModelsRequest(), cancellationToken: ct);
        Assert.NotEmpty(catalog.Models);

        using var http = new HttpClient();
        string exposition = await http.GetStringAsync(server.MetricsAddress, ct);
        Assert.Contains("restoregrpc_requests_total", exposition, StringComparison.Ordinal);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }
}
