using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using RestoreGrpc.Client;
using RestoreOptions = RestoreGrpc.Contracts.V1.RestoreOptions;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Streaming;

namespace RestoreGrpc.IntegrationTests.Streaming;

/// <summary>Protocol abuse gets a clear status naming what was wrong, and the server keeps serving.</summary>
public sealed class StreamingProtocolTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private const int Width = 2048;
    private const int Height = 1200;

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Server.Address);

    private RestoreService.RestoreServiceClient Raw => new(_channel);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task A_tile_before_the_header_is_invalid_argument()
    {
        using var call = Raw.RestoreStream(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(Tile(0, 10), Ct);
        await AssertRejectedAsync(call, StatusCode.InvalidArgument, StreamFields.Header);
    }

    [Fact]
    public async Task A_stream_ended_before_its_header_is_invalid_argument()
    {
        using var call = Raw.RestoreStream(cancellationToken: Ct);
        await AssertRejectedAsync(call, StatusCode.InvalidArgument, StreamFields.Header);
    }

    [Theory]
    [InlineData(99, 10, StreamFields.TileIndex, "outside the plan")]
    [InlineData(0, 10, StreamFields.TilePixels, "bytes")]
    public async Task Tiles_outside_the_plan_or_of_the_wrong_size_are_invalid_argument(int index, int bytes, string field, string says)
    {
        using var call = Raw.RestoreStream(cancellationToken: Ct);
        await OpenAsync(call);
        await call.RequestStream.WriteAsync(Tile(index, bytes), Ct);
        await AssertRejectedAsync(call, StatusCode.InvalidArgument, field, says);
    }

    [Fact]
    public async Task A_duplicate_tile_is_invalid_argument()
    {
        using var call = Raw.RestoreStream(cancellationToken: Ct);
        StreamPlan plan = await OpenAsync(call);
        await call.RequestStream.WriteAsync(Tile(0, WindowBytes(plan)), Ct);
        await call.RequestStream.WriteAsync(Tile(0, WindowBytes(plan)), Ct);
        await AssertRejectedAsync(call, StatusCode.InvalidArgument, StreamFields.TileIndex, "duplicate");
    }

    [Fact]
    public async Task Sending_beyond_the_credit_is_invalid_argument()
    {
        using var call = Raw.RestoreStream(cancellationToken: Ct);
        StreamPlan plan = await OpenAsync(call);
        // Back to back: the first tile is still inferring when the extra one arrives.
        for (int i = 0; i <= plan.InitialCredit; i++)
        {
            await call.RequestStream.WriteAsync(Tile(i, WindowBytes(plan)), Ct);
        }

        await AssertRejectedAsync(call, StatusCode.InvalidArgument, StreamFields.Tile, "credit");
    }

    [Fact]
    public async Task An_early_half_close_returns_the_tiles_in_flight_then_fails_and_the_job_resumes()
    {
        string jobId;
        var received = new HashSet<int>();
        using (var call = Raw.RestoreStream(cancellationToken: Ct))
        {
            StreamPlan plan = await OpenAsync(call);
            jobId = plan.JobId;
            await call.RequestStream.WriteAsync(Tile(0, WindowBytes(plan)), Ct);
            await call.RequestStream.CompleteAsync();
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                while (await call.ResponseStream.MoveNext(Ct))
                {
                    if (call.ResponseStream.Current.Tile is { Last: true } tile)
                    {
                        received.Add(tile.Index);
                    }
                }
            });
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Contains("half-closed", error.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Equal([0], received);
        using var resumed = Raw.RestoreStream(cancellationToken: Ct);
        var header = new StreamHeader { JobId = jobId, HeldTiles = { 0 } };
        await resumed.RequestStream.WriteAsync(new RestoreStreamRequest { Header = header }, Ct);
        Assert.True(await resumed.ResponseStream.MoveNext(Ct));
        StreamPlan again = resumed.ResponseStream.Current.Plan;
        Assert.Equal(jobId, again.JobId);
        Assert.Equal(again.TileCount - 1, again.PendingTileCount);
        await resumed.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Face_restoration_and_other_scales_are_refused_with_the_reason()
    {
        using (var call = Raw.RestoreStream(cancellationToken: Ct))
        {
            await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Header(new RestoreOptions { Task = RestoreTask.Faces }) }, Ct);
            await AssertRejectedAsync(call, StatusCode.InvalidArgument, StreamFields.Task, "whole image");
        }

        using (var call = Raw.RestoreStream(cancellationToken: Ct))
        {
            await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Header(new RestoreOptions { Model = "builtin-lanczos-x4", Scale = 2 }) }, Ct);
            await AssertRejectedAsync(call, StatusCode.InvalidArgument, "options.scale", "native scale");
        }
    }

    [Fact]
    public async Task A_tile_size_whose_messages_would_be_too_large_is_refused()
    {
        using var call = Raw.RestoreStream(cancellationToken: Ct);
        var options = new RestoreOptions { Model = "builtin-lanczos-x4", Tiling = new TileOptions { TileSize = 2048 } };
        var header = Header(options);
        header.Width = 4096;
        header.Height = 4096;
        await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = header }, Ct);
        await AssertRejectedAsync(call, StatusCode.InvalidArgument, "options.tiling.tile_size", "at most");
    }

    [Fact]
    public async Task Resuming_an_unknown_job_is_not_found()
    {
        using var call = Raw.RestoreStream(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = new StreamHeader { JobId = "no-such-job" } }, Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("no-such-job", error.GetRpcStatus()?.GetDetail<ResourceInfo>()?.ResourceName);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Cancelling_a_stream_frees_its_tiles_and_queue_at_once()
    {
        StreamingJob job;
        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            using var call = Raw.RestoreStream(cancellationToken: cancel.Token);
            StreamPlan plan = await OpenAsync(call);
            job = fixture.Server.Services.GetRequiredService<StreamingJobRegistry>().Find(plan.JobId);
            for (int i = 0; i < plan.InitialCredit; i++)
            {
                await call.RequestStream.WriteAsync(Tile(i, WindowBytes(plan)), Ct);
            }

            await cancel.CancelAsync();
        }

        var batcher = fixture.Server.Services.GetRequiredService<DynamicBatcher>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((job.Bytes != 0 || batcher.QueuedItems != 0) && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(0, job.Bytes);
        Assert.Equal(0, batcher.QueuedItems);
        await AssertStillServingAsync();
    }

    private static StreamHeader Header(RestoreOptions? options = null) => new()
    {
        Options = options ?? new RestoreOptions { Model = "builtin-lanczos-x4" },
        Width = Width,
        Height = Height,
        PixelFormat = new PixelFormat { BitDepth = 8, ChannelCount = 3 },
    };

    private static RestoreStreamRequest Tile(int index, int bytes) =>
        new() { Tile = new InputTile { Index = index, Pixels = ByteString.CopyFrom(new byte[bytes]) } };

    private static int WindowBytes(StreamPlan plan) => plan.WindowWidth * plan.WindowHeight * 3;

    private static async Task<StreamPlan> OpenAsync(AsyncDuplexStreamingCall<RestoreStreamRequest, RestoreStreamResponse> call)
    {
        await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Header() }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        return call.ResponseStream.Current.Plan ?? throw new InvalidOperationException("no plan");
    }

    private async Task AssertRejectedAsync(AsyncDuplexStreamingCall<RestoreStreamRequest, RestoreStreamResponse> call, StatusCode code, string field, string? says = null)
    {
        // A client done sending half-closes; the server then answers with the status, not a stream reset.
        await call.RequestStream.CompleteAsync();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(Ct))
            {
            }
        });
        Assert.True(code == error.StatusCode, $"expected {code}, got {error.Status}");
        (string violated, string description) = Assert.Single(error.FieldViolations());
        Assert.Equal(field, violated);
        if (says is not null)
        {
            Assert.Contains(says, description, StringComparison.Ordinal);
        }

        await AssertStillServingAsync();
    }

    private async Task AssertStillServingAsync()
    {
        ListModelsResponse catalog = await fixture.Server.Client.ListModelsAsync(Ct);
        Assert.NotEmpty(catalog.Models);
        using var input = StreamingEndToEndTests.TestPattern(40, 30, seed: 9);
        using var source = RestoreGrpc.Client.Streaming.ImageTileSource.From(input);
        using var sink = new RestoreGrpc.Client.Streaming.ImageTileSink();
        var result = await fixture.Server.Client.RestoreLargeAsync(source, sink, new RestoreGrpc.Client.RestoreOptions { Model = "builtin-lanczos-x4" }, cancellationToken: Ct);
        Assert.Equal(160, result.OutputWidth);
    }
}
