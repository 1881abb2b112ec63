using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using RestoreGrpc.Contracts.V1;
using Microsoft.AspNetCore.Connections;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests;

/// <summary>Issue 21 item 7: a client that sends a unary request and never reads its (large) response must not keep
/// the server holding it. The raw HTTP/2 client below never reads the body, so it never opens its 64 KiB stream
/// window again, and the response (16,328 KiB of Kestrel blocks, <see cref="TrimmableMemoryPoolFactory.RentedBytes"/>)
/// would wait in Kestrel's HTTP/2 stream output for as long as the connection lives. <c>ResponseDrainLimit</c> flushes
/// it before the request ends and resets that stream alone (ENHANCE_YOUR_CALM) once
/// <see cref="CallLimitsOptions.WriteTimeoutSeconds"/> has passed; the connection keeps serving its other calls.</summary>
public sealed class UnreadResponseTests
{
    private const int EnhanceYourCalm = 0xb;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_unread_16_MiB_response_is_reset_and_its_memory_released()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync("--Restore:CallLimits:WriteTimeoutSeconds=1");
        TrimmableMemoryPoolFactory blocks = Blocks(server);
        using var http = new HttpClient(new SocketsHttpHandler());
        using HttpResponseMessage response = await http.SendAsync(GrpcPost(server.Address, BmpTimesFour(512)), HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Never read: the 16 MiB response must not stay held for as long as the connection lives.
        Assert.True(blocks.RentedBytes > 8 << 20, $"only {blocks.RentedBytes >> 10} KiB rented: the response was not parked, the test proves nothing");
        TimeSpan released = await ReleasedAsync(blocks);
        TestContext.Current.TestOutputHelper?.WriteLine($"blocks released {released.TotalSeconds:0.00} s after the response headers (limit 1 s)");

        // The stream was reset, not completed: what the client buffered ends in the reset, with its code.
        Stream body = await response.Content.ReadAsStreamAsync(Ct);
        HttpProtocolException reset = await Assert.ThrowsAsync<HttpProtocolException>(() => body.CopyToAsync(Stream.Null, Ct));
        Assert.Equal(EnhanceYourCalm, reset.ErrorCode);
    }

    [Fact]
    public async Task The_connection_of_an_unread_response_keeps_serving_its_other_calls()
    {
        // 5 s: the first ListModels call below is meant to run while the response is still held.
        await using LoopbackServer server = await LoopbackServer.StartAsync("--Restore:CallLimits:WriteTimeoutSeconds=5");
        TrimmableMemoryPoolFactory blocks = Blocks(server);
        int connections = 0;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (connect, cancellationToken) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(connect.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler);
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { HttpClient = http });
        var client = new RestoreService.RestoreServiceClient(channel);

        using HttpResponseMessage unread = await http.SendAsync(GrpcPost(server.Address, BmpTimesFour(512)), HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.NotEmpty((await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct)).Models);
        TestContext.Current.TestOutputHelper?.WriteLine($"a call answered while {blocks.RentedBytes >> 10} KiB were held");
        await ReleasedAsync(blocks);
        Assert.NotEmpty((await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct)).Models);
        Assert.Equal(1, connections);
    }

    [Fact]
    public async Task A_gRPC_client_that_reads_its_response_too_late_gets_RESOURCE_EXHAUSTED()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync("--Restore:CallLimits:WriteTimeoutSeconds=1");
        TrimmableMemoryPoolFactory blocks = Blocks(server);
        // The client's reading starts only once the server has given the response up.
        var late = new LateReadingHandler(() => ReleasedAsync(blocks)) { InnerHandler = new SocketsHttpHandler() };
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { HttpHandler = late, MaxReceiveMessageSize = null });
        var client = new RestoreService.RestoreServiceClient(channel);

        RpcException refused = await Assert.ThrowsAsync<RpcException>(() => client.RestoreAsync(BmpTimesFour(512), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("ENHANCE_YOUR_CALM", refused.Status.DebugException?.Message ?? refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_26_MB_response_read_by_its_client_arrives_whole()
    {
        // 640² at ×4 as 32-bit BMP: 26,214,454 B, with a short write timeout (a fix must not cut a reading client),
        // compared with the same call on a server without it.
        RestoreRequest request = BmpTimesFour(640);
        ByteString limited = await RestoreAsync(request, "--Restore:CallLimits:WriteTimeoutSeconds=10");
        ByteString unlimited = await RestoreAsync(request, "--Restore:CallLimits:WriteTimeoutSeconds=0");
        Assert.True(limited.Length > 20_000_000, $"{limited.Length} B");
        Assert.True(limited.Span.SequenceEqual(unlimited.Span), "the response read under a 10 s write timeout differs");
    }

    [Fact]
    public async Task A_call_after_an_idle_pause_on_the_same_connection_succeeds()
    {
        // A finished stream waits in Kestrel's pool for the connection's next call: a late reset of the finished
        // call must not reach it. The pause outlasts the 1 s response limit a fix would use here.
        await using LoopbackServer server = await LoopbackServer.StartAsync("--Restore:CallLimits:WriteTimeoutSeconds=1");
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new RestoreService.RestoreServiceClient(channel);
        await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        Assert.NotEmpty((await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct)).Models);
    }

    private static TrimmableMemoryPoolFactory Blocks(LoopbackServer server) =>
        (TrimmableMemoryPoolFactory)server.Services.GetRequiredService<IMemoryPoolFactory<byte>>();

    /// <summary>Waits (60 s at most: a loaded machine) until the server's Kestrel blocks are back under 1 MiB.</summary>
    private static async Task<TimeSpan> ReleasedAsync(TrimmableMemoryPoolFactory blocks)
    {
        var waited = Stopwatch.StartNew();
        while (blocks.RentedBytes > 1 << 20 && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100, Ct);
        }

        Assert.True(blocks.RentedBytes <= 1 << 20, $"{blocks.RentedBytes >> 10} KiB of Kestrel blocks still rented");
        return waited.Elapsed;
    }

    /// <summary>A client that takes a response's headers at once but starts reading its body only when told.</summary>
    private sealed class LateReadingHandler(Func<Task> readWhen) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            await readWhen();
            return response;
        }
    }

    /// <summary>A side² RGBA image enlarged ×4 and encoded as 32-bit BMP: (4·side)²·4 bytes of response.</summary>
    private static RestoreRequest BmpTimesFour(int side) => new()
    {
        Image = ByteString.CopyFrom(SyntheticImages.AlphaGradientPng(side, side)),
        Options = new Contracts.V1.RestoreOptions { Model = "builtin-lanczos-x4", Output = new OutputOptions { Format = ImageFormat.Bmp } },
    };

    private static async Task<ByteString> RestoreAsync(RestoreRequest request, string setting)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(setting);
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxReceiveMessageSize = null });
        RestoreResponse response = await new RestoreService.RestoreServiceClient(channel).RestoreAsync(request, cancellationToken: Ct);
        return response.Image;
    }

    /// <summary>A unary gRPC call as a plain HTTP/2 POST: the 5-byte message prefix, then the message.</summary>
    private static HttpRequestMessage GrpcPost(Uri address, RestoreRequest request)
    {
        byte[] message = request.ToByteArray();
        byte[] framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        var content = new ByteArrayContent(framed);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        var post = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/restoregrpc.v1.RestoreService/Restore"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        post.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        return post;
    }
}
