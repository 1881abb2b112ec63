using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using RestoreGrpc.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Streaming;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>Silent, idle and non-reading callers are cut off, and absurd plans are refused up front
/// (Restore:CallLimits); each test runs a server with short limits.</summary>
public sealed class CallLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stream_without_a_header_ends_with_deadline_exceeded()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync("--Restore:CallLimits:HeaderTimeoutSeconds=0.5");
        using var channel = GrpcChannel.ForAddress(server.Address);
        using var call = new RestoreService.RestoreServiceClient(channel).RestoreStream(deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Contains("no stream header", error.Status.Detail, StringComparison.Ordinal);
        Assert.NotEmpty((await server.Client.ListModelsAsync(Ct)).Models);
    }

    [Fact]
    public async Task An_idle_stream_ends_with_deadline_exceeded_frees_its_tiles_and_stays_resumable()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync("--Restore:CallLimits:IdleTimeoutSeconds=0.5");
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new RestoreService.RestoreServiceClient(channel);
        string jobId;
        using (var call = client.RestoreStream(deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: Ct))
        {
            await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Header(300, 200) }, Ct);
            Assert.True(await call.ResponseStream.MoveNext(Ct));
            jobId = call.ResponseStream.Current.Plan.JobId;
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                while (await call.ResponseStream.MoveNext(Ct))
                {
                }
            });
            Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
            Assert.Contains("no message from the client", error.Status.Detail, StringComparison.Ordinal);
        }

        StreamingJob job = server.Services.GetRequiredService<StreamingJobRegistry>().Find(jobId);
        Assert.Equal(0, job.Bytes);
        using var resumed = client.RestoreStream(cancellationToken: Ct);
        await resumed.RequestStream.WriteAsync(new RestoreStreamRequest { Header = new StreamHeader { JobId = jobId } }, Ct);
        Assert.True(await resumed.ResponseStream.MoveNext(Ct));
        Assert.Equal(jobId, resumed.ResponseStream.Current.Plan.JobId);
    }

    [Fact]
    public async Task A_stream_whose_client_stops_reading_is_aborted_and_freed()
    {
        var logs = new CapturedLogs();
        await using LoopbackServer server = await LoopbackServer.StartAsync(logs.Configure, "--Restore:CallLimits:WriteTimeoutSeconds=0.5", "--Restore:CallLimits:IdleTimeoutSeconds=0");
        using var channel = GrpcChannel.ForAddress(server.Address);
        using var call = new RestoreService.RestoreServiceClient(channel).RestoreStream(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Header(2048, 1200) }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        StreamPlan plan = call.ResponseStream.Current.Plan;
        StreamingJob job = server.Services.GetRequiredService<StreamingJobRegistry>().Find(plan.JobId);
        byte[] window = new byte[plan.WindowWidth * plan.WindowHeight * 3];
        for (int i = 0; i < plan.InitialCredit; i++)
        {
            // Output tiles of 12 MB each: far more than the client's HTTP/2 window, and nobody reads them.
            await call.RequestStream.WriteAsync(new RestoreStreamRequest { Tile = new InputTile { Index = i, Pixels = ByteString.CopyFrom(window) } }, Ct);
        }

        Assert.True(await logs.WaitForAsync("did not read a response", TimeSpan.FromSeconds(60), Ct), "the server never gave up on the non-reading client");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (job.Bytes != 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(0, job.Bytes);
        Assert.NotEmpty((await server.Client.ListModelsAsync(Ct)).Models);
    }

    [Fact]
    public async Task A_unary_call_past_the_servers_limit_is_deadline_exceeded()
    {
        string model = SharedAssets.Model("realesr-general-x4v3.onnx");
        Assert.NotEmpty(model);
        await using LoopbackServer server = await LoopbackServer.StartAsync("--Restore:CallLimits:MaxUnaryCallSeconds=0.2");
        byte[] image = await File.ReadAllBytesAsync(SharedAssets.Image("astronaut.png"), Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() => server.Client.RestoreAsync(image, new Client.RestoreOptions { Model = "realesr-general-x4v3" }, Ct));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Contains("MaxUnaryCallSeconds", error.Status.Detail, StringComparison.Ordinal);
        Assert.NotEmpty((await server.Client.ListModelsAsync(Ct)).Models);
    }

    [Fact]
    public async Task Tiny_tiles_under_a_wide_margin_are_refused_up_front_for_unary_and_streams()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        byte[] image = await File.ReadAllBytesAsync(SharedAssets.Image("palette_color.png"), Ct);
        var unary = await Assert.ThrowsAsync<RpcException>(() => server.Client.RestoreAsync(image, new Client.RestoreOptions { Model = "builtin-lanczos-x4", TileSize = 16, TileMargin = 34 }, Ct));
        Assert.Equal(StatusCode.InvalidArgument, unary.StatusCode);
        (string field, string description) = Assert.Single(unary.FieldViolations());
        Assert.Equal("options.tiling.tile_size", field);
        Assert.Contains("at least 38", description, StringComparison.Ordinal);

        using var channel = GrpcChannel.ForAddress(server.Address);
        using var call = new RestoreService.RestoreServiceClient(channel).RestoreStream(cancellationToken: Ct);
        StreamHeader header = Header(32768, 32768);
        header.Options.Tiling = new TileOptions { TileSize = 64, TileMargin = 8 };
        await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = header }, Ct);
        await call.RequestStream.CompleteAsync();
        var stream = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.InvalidArgument, stream.StatusCode);
        (field, description) = Assert.Single(stream.FieldViolations());
        Assert.Equal("options.tiling.tile_size", field);
        Assert.Contains("262144 tiles", description, StringComparison.Ordinal);
    }

    private static StreamHeader Header(int width, int height) => new()
    {
        Options = new Contracts.V1.RestoreOptions { Model = "builtin-lanczos-x4" },
        Width = width,
        Height = height,
        PixelFormat = new PixelFormat { BitDepth = 8, ChannelCount = 3 },
    };
}
