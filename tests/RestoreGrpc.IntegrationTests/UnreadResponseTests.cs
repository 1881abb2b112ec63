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

/// <summary>Issue 21 item 7: a client that sends a unary request and never reads its (large) response must not
/// keep the server holding it. The raw HTTP/2 client below never reads the body, so it never opens its 64 KiB stream
/// window again. The handler and the request end within a second, but the response is parked in Kestrel's HTTP/2
/// stream output (16,328 KiB of connection blocks, <see cref="TrimmableMemoryPoolFactory.RentedBytes"/>) until the
/// client reads; <see cref="CallLimitsOptions.WriteTimeoutSeconds"/> after the handler returned, the server resets
/// the stream and the blocks go back. A client that reads gets its large response whole.</summary>
public sealed class UnreadResponseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
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
    public async Task A_26_MB_response_read_by_its_client_arrives_whole_under_the_drain_limit()
    {
        // 640² at ×4 as 32-bit BMP: 26,214,454 B. Compared with the same call on a server without the limit.
        RestoreRequest request = BmpTimesFour(640);
        ByteString limited = await RestoreAsync(request, "--Restore:CallLimits:WriteTimeoutSeconds=10");
        ByteString unlimited = await RestoreAsync(request, "--Restore:CallLimits:WriteTimeoutSeconds=0");
        Assert.True(limited.Length > 20_000_000, $"{limited.Length} B");
        Assert.True(limited.Span.SequenceEqual(unlimited.Span), "the response read under the drain limit differs");
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
