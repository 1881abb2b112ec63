using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.IntegrationTests.Web;

/// <summary>gRPC-Web over HTTP/1.1 on the web endpoint (what browsers use), the page at <c>/</c>, native gRPC next
/// to it, and both switched off by <c>Restore:Web:Enabled=false</c>.</summary>
public sealed class GrpcWebTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Web_endpoint_serves_grpc_web_over_http11_and_the_page()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(LoopbackServer.WithWebEndpoint);
        Assert.NotEqual(server.Address.Port, server.WebAddress.Port);
        using GrpcChannel web = GrpcWebChannel(server.WebAddress);
        var client = new RestoreService.RestoreServiceClient(web);

        ListModelsResponse models = await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);
        Assert.Contains(models.Models, m => m.Name == "builtin-lanczos-x4");

        // Server streaming through gRPC-Web: progress, then the same bytes native gRPC gets from Restore.
        ByteString image = ByteString.CopyFrom(RestoreWithProgressTests.SyntheticPng(40, 24));
        var options = new RestoreOptions { Model = "builtin-lanczos-x4" };
        (List<RestoreProgress> events, RestoreResponse result) = await RestoreWithProgressTests.RestoreWithProgressAsync(client, image, options);
        using GrpcChannel native = GrpcChannel.ForAddress(server.Address);
        RestoreResponse unary = await new RestoreService.RestoreServiceClient(native).RestoreAsync(new RestoreRequest { Image = image, Options = options }, cancellationToken: Ct);
        Assert.NotEmpty(events);
        Assert.Equal(unary.Image, result.Image);

        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using HttpResponseMessage page = await http.GetAsync(server.WebAddress, Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpVersion.Version11, page.Version);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("RestoreGrpc", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabled_web_page_serves_neither_the_page_nor_grpc_web()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync([.. LoopbackServer.WithWebEndpoint, "--Restore:Web:Enabled=false"]);
        using GrpcChannel web = GrpcWebChannel(server.WebAddress);

        await Assert.ThrowsAsync<RpcException>(async () =>
            await new RestoreService.RestoreServiceClient(web).ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct));

        using var http = new HttpClient();
        using HttpResponseMessage page = await http.GetAsync(server.WebAddress, Ct);
        Assert.Equal("text/plain", page.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty((await server.Client.ListModelsAsync(cancellationToken: Ct)).Models); // native gRPC still works
    }

    private static GrpcChannel GrpcWebChannel(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new HttpClientHandler()),
        HttpVersion = HttpVersion.Version11,
        HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    });
}
