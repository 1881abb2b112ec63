using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.IntegrationTests.Web;

/// <summary>RestoreWithProgress: progress events in order (stages forward, counts never backwards), then exactly the
/// response the unary Restore gives for the same request (image bytes equal).</summary>
public sealed class RestoreWithProgressTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tiles_report_progress_in_order_and_the_result_equals_Restore()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        using GrpcChannel channel = GrpcChannel.ForAddress(server.Address);
        var client = new RestoreService.RestoreServiceClient(channel);
        // 96×64 at tile 32: six tiles through the built-in resampler (always in the catalog).
        ByteString image = ByteString.CopyFrom(SyntheticPng(96, 64));
        var options = new RestoreOptions { Model = "builtin-lanczos-x4", Tiling = new TileOptions { TileSize = 32, TileMargin = 4 } };

        (List<RestoreProgress> events, RestoreResponse result) = await RestoreWithProgressAsync(client, image, options);
        RestoreResponse unary = await client.RestoreAsync(new RestoreRequest { Image = image, Options = options }, cancellationToken: Ct);

        Assert.Equal(unary.Image, result.Image);
        Assert.Equal(unary.Output, result.Output);
        Assert.Equal(6, result.Details.TileCount);
        AssertInOrder(events);
        Assert.Equal(RestoreStage.Queued, events[0].Stage);
        Assert.Contains(events, e => e.Stage == RestoreStage.Decoding);
        RestoreProgress lastTile = events.Last(e => e.Stage == RestoreStage.Upscaling);
        Assert.Equal((6, 6), (lastTile.DoneTileCount, lastTile.TileCount));
        Assert.Equal(RestoreStage.Encoding, events[^1].Stage);
    }

    [Fact]
    public async Task Faces_report_detection_and_restoration_and_the_result_equals_Restore()
    {
        ByteString image = ByteString.CopyFrom(await File.ReadAllBytesAsync(SharedAssets.Image("astronaut.png"), Ct));
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        using GrpcChannel channel = GrpcChannel.ForAddress(server.Address);
        var client = new RestoreService.RestoreServiceClient(channel);
        var options = new RestoreOptions { Task = RestoreTask.Faces, Faces = new FaceOptions { Restorer = "face-standin-512" } };

        (List<RestoreProgress> events, RestoreResponse result) = await RestoreWithProgressAsync(client, image, options);
        RestoreResponse unary = await client.RestoreAsync(new RestoreRequest { Image = image, Options = options }, cancellationToken: Ct);

        Assert.Equal(unary.Image, result.Image);
        Assert.Equal(unary.Faces, result.Faces);
        AssertInOrder(events);
        Assert.Contains(events, e => e.Stage == RestoreStage.DetectingFaces);
        Assert.DoesNotContain(events, e => e.Stage == RestoreStage.Upscaling); // faces only: the background is resampled
        RestoreProgress lastFace = events.Last(e => e.Stage == RestoreStage.RestoringFaces);
        Assert.Equal((1, 1), (lastFace.DoneFaceCount, lastFace.FaceCount));
    }

    [Fact]
    public async Task A_bad_image_ends_the_stream_with_invalid_argument()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        using GrpcChannel channel = GrpcChannel.ForAddress(server.Address);
        var client = new RestoreService.RestoreServiceClient(channel);

        RpcException error = await Assert.ThrowsAsync<RpcException>(() =>
            RestoreWithProgressAsync(client, ByteString.CopyFromUtf8("not an image"), new RestoreOptions()));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("image", error.Status.Detail, StringComparison.Ordinal);
    }

    internal static async Task<(List<RestoreProgress> Events, RestoreResponse Result)> RestoreWithProgressAsync(
        RestoreService.RestoreServiceClient client,
        ByteString image,
        RestoreOptions options)
    {
        using AsyncServerStreamingCall<RestoreWithProgressResponse> call = client.RestoreWithProgress(
            new RestoreWithProgressRequest { Image = image, Options = options }, cancellationToken: Ct);
        var events = new List<RestoreProgress>();
        RestoreResponse? result = null;
        await foreach (RestoreWithProgressResponse message in call.ResponseStream.ReadAllAsync(Ct))
        {
            Assert.Null(result); // the result is the last message
            if (message.EventCase == RestoreWithProgressResponse.EventOneofCase.Progress)
            {
                events.Add(message.Progress);
            }
            else
            {
                result = message.Result;
            }
        }

        return (events, result ?? throw new InvalidOperationException("the stream ended without a result"));
    }

    /// <summary>Stages only move forward; within a stage, tiles and faces done never go back; elapsed never shrinks.</summary>
    private static void AssertInOrder(List<RestoreProgress> events)
    {
        Assert.NotEmpty(events);
        for (int i = 1; i < events.Count; i++)
        {
            RestoreProgress before = events[i - 1], after = events[i];
            Assert.True(after.Stage >= before.Stage, $"stage {after.Stage} after {before.Stage}");
            Assert.True(after.Elapsed.ToTimeSpan() >= before.Elapsed.ToTimeSpan());
            if (after.Stage == before.Stage)
            {
                Assert.True(after.DoneTileCount >= before.DoneTileCount && after.DoneFaceCount >= before.DoneFaceCount);
            }
        }
    }

    internal static byte[] SyntheticPng(int width, int height)
    {
        using var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x * y) % 256));
            }
        }

        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }
}
