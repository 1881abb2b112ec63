using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;
using StatusCode = Grpc.Core.StatusCode;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>With Restore:Auth on and mTLS, a verified client certificate is a principal: tenant = its CN, or the
/// tenant (and roles) Restore:Auth:ClientCertificates maps it to; an explicit credential beside it wins.</summary>
public sealed class CertificatePrincipalTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("RestoreGrpc auth test CA");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _authority.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_client_certificate_is_the_tenant_and_a_mapping_renames_it()
    {
        using X509Certificate2 server = TestCertificates.IssueServer(_authority);
        (string cert, string key) = TestCertificates.WritePem(server, _temp.Path, "server");
        string bundle = TestCertificates.WriteBundle(_temp.Path, "clients-ca", _authority);
        await using LoopbackServer loopback = await LoopbackServer.StartAsync(
            "--urls", "https://127.0.0.1:0",
            "--Restore:Tls:Enabled=true", $"--Restore:Tls:CertificatePath={cert}", $"--Restore:Tls:KeyPath={key}",
            "--Restore:Tls:ClientCertificates=Optional", $"--Restore:Tls:ClientCaPath={bundle}",
            "--Restore:Auth:Enabled=true",
            "--Restore:Auth:ClientCertificates:0:CommonName=build-box-7",
            "--Restore:Auth:ClientCertificates:0:Tenant=render",
            "--Restore:Quotas:MaxImagePixels=100");

        using X509Certificate2 plain = TestCertificates.IssueClient(_authority, "tenant-c");
        using X509Certificate2 mapped = TestCertificates.IssueClient(_authority, "build-box-7");
        Assert.Equal("tenant-c", await QuotaSubjectAsync(loopback, plain, new Metadata()));
        Assert.Equal("render", await QuotaSubjectAsync(loopback, mapped, new Metadata { { "x-restore-tenant", "someone-else" } }));

        // No certificate (it is optional) and no other credential; or a bad API key beside a good certificate.
        foreach ((X509Certificate2? certificate, Metadata headers) in new[] { ((X509Certificate2?)null, new Metadata()), (plain, new Metadata { { "x-api-key", "rk_wrong" } }) })
        {
            using var channel = TlsTests.Channel(loopback, _authority, certificate);
            var error = await Assert.ThrowsAsync<RpcException>(() => new RestoreService.RestoreServiceClient(channel).ListModelsAsync(new ListModelsRequest(), headers, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        }
    }

    private async Task<string> QuotaSubjectAsync(LoopbackServer server, X509Certificate2 certificate, Metadata headers)
    {
        using var channel = TlsTests.Channel(server, _authority, certificate);
        var request = new RestoreRequest
        {
            Image = ByteString.CopyFrom(SyntheticImages.AlphaGradientPng(16, 16)),
            Options = new RestoreOptions { Model = "builtin-lanczos-x4" },
        };
        var error = await Assert.ThrowsAsync<RpcException>(() => new RestoreService.RestoreServiceClient(channel).RestoreAsync(request, headers, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        return Assert.Single(error.GetRpcStatus()!.GetDetail<QuotaFailure>()!.Violations).Subject;
    }
}
