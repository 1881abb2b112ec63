using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using RestoreGrpc.Contracts.V1;
using Microsoft.AspNetCore.Connections;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests;

/// <summary>Issue 21 item 7 (open): a client that sends a unary request and never reads its (large) response must
/// not keep the server holding it. The raw HTTP/2 client below never reads the body, so it never opens its 64 KiB
/// stream window again. The handler and the request end within a second, but the response is parked in Kestrel's
/// HTTP/2 stream output (16,328 KiB of connection blocks, <see cref="TrimmableMemoryPoolFactory.RentedBytes"/>) until
/// the client reads. Tried (branch <c>unread</c>): a middleware that resets the stream (IHttpRequestLifetimeFeature.
/// Abort) a while after the handler returned releases the blocks 1.01 s after a 1 s limit, but Kestrel gives no
/// public sign that a stream has drained (Response.CompleteAsync and OnCompleted both finish before the drain), and
/// aborting a stream that has finished and sits in Kestrel's stream pool poisons the next call that reuses it
/// (INTERNAL_ERROR reset: <see cref="A_call_after_an_idle_pause_on_the_same_connection_succeeds"/> guards that).</summary>
public sealed class UnreadResponseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Skip = "issue 21 item 7 is open: the unread response is parked in Kestrel's HTTP/2 stream output after the request ends, and Kestrel has no public drain signal to reset it safely; see the summary")]
    public async Task An_unread_16_MiB_response_is_aborted_and_its_memory_released()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync("--Restore:CallLimits:WriteTimeoutSeconds=1");
        var blocks = (TrimmableMemoryPoolFactory)server.Services.GetRequiredService<IMemoryPoolFactory<byte>>();
        // 512² RGBA at ×4 as 32-bit BMP: a 16 MiB response, 256× the client's stream window.
        RestoreRequest request = BmpTimesFour(512);

        using var http = new HttpClient(new SocketsHttpHandler());
        using HttpResponseMessage response = await http.SendAsync(GrpcPost(server.Address, request), HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Never read: the 16 MiB response must not stay held for as long as the connection lives.
        Assert.True(blocks.RentedBytes > 8 << 20, $"only {blocks.RentedBytes >> 10} KiB rented: the response was not parked, the test proves nothing");
        var waited = Stopwatch.StartNew();
        while (blocks.RentedBytes > 1 << 20 && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100, Ct);
        }

        Assert.True(blocks.RentedBytes <= 1 << 20, $"{blocks.RentedBytes >> 10} KiB of Kestrel blocks still rented");
        TestContext.Current.TestOutputHelper?.WriteLine($"blocks released {waited.Elapsed.TotalSeconds:0.00} s after the response headers (limit 1 s after the handler returned)");

        // The call was aborted, not completed: what the client buffered ends in a reset, with no gRPC status.
        Stream body = await response.Content.ReadAsStreamAsync(Ct);
        await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(Stream.Null, Ct));
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
