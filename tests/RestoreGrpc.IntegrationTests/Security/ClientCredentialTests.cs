using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RestoreGrpc.Cli;
using RestoreGrpc.Client;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>
/// The SDK's and the CLI's client credentials against a real TLS Kestrel with certificates made here: the API key
/// and bearer token arrive as <c>x-api-key</c> / <c>authorization</c>, a private CA is trusted, a foreign one refused
/// clearly, and the client certificate is presented under mTLS. Secrets never show in the CLI's output.
/// </summary>
public sealed class ClientCredentialTests : IDisposable
{
    private const string ApiKey = "test-api-key-7d41c9";
    private const string Token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.sig-3e8a";

    private readonly TempDirectory _temp = new();
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("RestoreGrpc client-credentials CA");
    private readonly ConcurrentQueue<SeenRequest> _seen = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string CaBundle => TestCertificates.WriteBundle(_temp.Path, "server-ca", _authority);

    public void Dispose()
    {
        _authority.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Over_tls_with_the_private_ca_the_api_key_and_bearer_token_reach_the_server()
    {
        await using LoopbackServer server = await StartAsync(clientCertificates: null);
        using var client = new RestoreClient(new RestoreClientOptions
        {
            Address = server.Address,
            CaCertificatePath = CaBundle,
            ApiKey = ApiKey,
            BearerToken = Token,
            MaxAttempts = 1,
        });

        Assert.NotEmpty((await client.ListModelsAsync(Ct)).Models);

        SeenRequest seen = Assert.Single(_seen);
        Assert.Equal(ApiKey, seen.ApiKey);
        Assert.Equal("Bearer " + Token, seen.Authorization);
        Assert.True(seen.Https);
    }

    [Fact]
    public async Task A_balanced_health_checked_channel_sends_the_api_key_over_tls_on_the_calls_and_the_health_watches()
    {
        await using LoopbackServer server = await StartAsync(clientCertificates: null);
        var options = new RestoreClientOptions { CaCertificatePath = CaBundle, ApiKey = ApiKey, MaxAttempts = 5 };
        options.Addresses.Add(server.Address);
        using var client = new RestoreClient(options);

        // The call is picked only once the instance's health watch (its own channel, same TLS trust) says SERVING:
        // its readiness waits for the default model, so until then the pick fails UNAVAILABLE (gRFC A17).
        RestoreGrpc.Contracts.V1.ListModelsResponse? models = null;
        var waited = Stopwatch.StartNew();
        while (models is null)
        {
            try
            {
                models = await client.ListModelsAsync(Ct);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && waited.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(200, Ct);
            }
        }

        Assert.NotEmpty(models.Models);

        Assert.True(_seen.Count >= 2, $"expected the health watch and the call, saw {_seen.Count} requests");
        Assert.All(_seen, seen =>
        {
            Assert.Equal(ApiKey, seen.ApiKey);
            Assert.True(seen.Https);
        });
    }

    [Fact]
    public async Task A_token_provider_is_asked_on_every_call_so_a_refreshed_token_is_sent()
    {
        await using LoopbackServer server = await StartAsync(clientCertificates: null);
        int calls = 0;
        using var client = new RestoreClient(new RestoreClientOptions
        {
            Address = server.Address,
            CaCertificatePath = CaBundle,
            BearerTokenProvider = _ => ValueTask.FromResult($"token-{Interlocked.Increment(ref calls)}"),
            MaxAttempts = 1,
        });

        await client.ListModelsAsync(Ct);
        await client.ListModelsAsync(Ct);

        Assert.Equal(["Bearer token-1", "Bearer token-2"], _seen.Select(s => s.Authorization));
    }

    [Fact]
    public async Task A_server_certificate_from_another_ca_is_refused_with_a_tls_error()
    {
        await using LoopbackServer server = await StartAsync(clientCertificates: null);
        using X509Certificate2 other = TestCertificates.CreateAuthority("not the server's CA");
        using var client = new RestoreClient(new RestoreClientOptions
        {
            Address = server.Address,
            CaCertificatePath = TestCertificates.WriteBundle(_temp.Path, "other-ca", other),
            ApiKey = ApiKey,
            MaxAttempts = 1,
        });

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListModelsAsync(Ct));
        // grpc-dotnet reports it as UNAVAILABLE without call credentials and as INTERNAL ("Error starting gRPC call") with them.
        Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
        Assert.Contains("SSL connection could not be established", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(_seen);
        Assert.DoesNotContain(ApiKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_required_mtls_the_pem_client_certificate_is_presented_and_its_absence_refused()
    {
        await using LoopbackServer server = await StartAsync(clientCertificates: "Required");
        using X509Certificate2 issued = TestCertificates.IssueClient(_authority, "tenant-pem");
        (string cert, string key) = TestCertificates.WritePem(issued, _temp.Path, "client");

        using (var client = new RestoreClient(new RestoreClientOptions
        {
            Address = server.Address,
            CaCertificatePath = CaBundle,
            ClientCertificate = ClientCertificates.FromPemFiles(cert, key),
            MaxAttempts = 1,
        }))
        {
            Assert.NotEmpty((await client.ListModelsAsync(Ct)).Models);
        }

        Assert.Equal(issued.Thumbprint, Assert.Single(_seen).ClientCertificateThumbprint);

        using var anonymous = new RestoreClient(new RestoreClientOptions { Address = server.Address, CaCertificatePath = CaBundle, MaxAttempts = 1 });
        await Assert.ThrowsAsync<RpcException>(() => anonymous.ListModelsAsync(Ct));
    }

    [Fact]
    public async Task Over_loopback_plaintext_credentials_are_sent_only_with_the_explicit_opt_in()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(Capture, []);
        using var client = new RestoreClient(new RestoreClientOptions { Address = server.Address, ApiKey = ApiKey, AllowInsecureCredentials = true, MaxAttempts = 1 });
        await client.ListModelsAsync(Ct);
        Assert.Equal(ApiKey, Assert.Single(_seen).ApiKey);

        var refused = Assert.Throws<ArgumentException>(() => new RestoreClient(new RestoreClientOptions { Address = server.Address, ApiKey = ApiKey }));
        Assert.Contains("plaintext", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cli_sends_key_token_and_client_certificate_over_tls_and_never_prints_them()
    {
        await using LoopbackServer server = await StartAsync(clientCertificates: "Required");
        using X509Certificate2 issued = TestCertificates.IssueClient(_authority, "tenant-cli");
        (string cert, string key) = TestCertificates.WritePem(issued, _temp.Path, "cli-client");

        (int exit, string output) = await RunCliAsync(
            "models", "--server", server.Address.ToString(), "--ca", CaBundle, "--cert", cert, "--key", key,
            "--api-key", ApiKey, "--token", Token);

        Assert.True(exit == 0, output);
        SeenRequest seen = Assert.Single(_seen);
        Assert.Equal((ApiKey, "Bearer " + Token, issued.Thumbprint), (seen.ApiKey, seen.Authorization, seen.ClientCertificateThumbprint));
        Assert.DoesNotContain(ApiKey, output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cli_names_a_tls_failure_and_points_at_ca_without_printing_the_key()
    {
        await using LoopbackServer server = await StartAsync(clientCertificates: null);
        using X509Certificate2 other = TestCertificates.CreateAuthority("the wrong CA");

        (int exit, string output) = await RunCliAsync(
            "models", "--server", server.Address.ToString(), "--ca", TestCertificates.WriteBundle(_temp.Path, "wrong", other), "--api-key", ApiKey);

        Assert.Equal(ExitCodesFailure, exit);
        Assert.Contains("TLS handshake", output, StringComparison.Ordinal);
        Assert.Contains("--ca", output, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_preset_saved_with_credentials_on_the_command_line_holds_none_of_them()
    {
        string preset = Path.Combine(_temp.Path, "p.json");
        (int exit, string output) = await RunCliAsync("preset", "save", preset, "--model", "m", "--api-key", ApiKey, "--token", Token);
        Assert.True(exit == 0, output);
        string json = await File.ReadAllTextAsync(preset, Ct);
        Assert.Contains("\"model\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, json, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, json, StringComparison.Ordinal);
    }

    private const int ExitCodesFailure = 1;

    private static async Task<(int Exit, string Output)> RunCliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await RestoreCli.RunAsync(args, stdout, stderr, Ct);
        return (exit, stdout + "\n" + stderr);
    }

    private void Capture(WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<IStartupFilter>(new HeaderCapture(_seen));

    private async Task<LoopbackServer> StartAsync(string? clientCertificates)
    {
        using X509Certificate2 certificate = TestCertificates.IssueServer(_authority);
        (string cert, string key) = TestCertificates.WritePem(certificate, _temp.Path, "server");
        List<string> settings =
        [
            "--urls", "https://127.0.0.1:0",
            "--Restore:Tls:Enabled=true",
            $"--Restore:Tls:CertificatePath={cert}",
            $"--Restore:Tls:KeyPath={key}",
        ];
        if (clientCertificates is not null)
        {
            settings.Add($"--Restore:Tls:ClientCertificates={clientCertificates}");
            settings.Add($"--Restore:Tls:ClientCaPath={TestCertificates.WriteBundle(_temp.Path, "clients-ca", _authority)}");
        }

        return await LoopbackServer.StartAsync(Capture, [.. settings]);
    }

    private sealed record SeenRequest(string? ApiKey, string? Authorization, bool Https, string? ClientCertificateThumbprint);

    /// <summary>Test-only: records each gRPC request's credential headers and client certificate as the server received them.</summary>
    private sealed class HeaderCapture(ConcurrentQueue<SeenRequest> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate pipeline) =>
            {
                if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
                {
                    X509Certificate2? presented = await context.Connection.GetClientCertificateAsync();
                    seen.Enqueue(new SeenRequest(
                        context.Request.Headers["x-api-key"].FirstOrDefault(),
                        context.Request.Headers.Authorization.FirstOrDefault(),
                        context.Request.IsHttps,
                        presented?.Thumbprint));
                }

                await pipeline(context);
            });
            next(app);
        };
    }
}
