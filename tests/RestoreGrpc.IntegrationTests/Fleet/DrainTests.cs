using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Tiling;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace RestoreGrpc.IntegrationTests.Fleet;

/// <summary>A SIGTERM'd server process drains: health first, new calls refused, an open stream ended resumably at the
/// end of the grace period, and the job rebuilt on another instance from its header and held tiles.</summary>
public sealed class DrainTests
{
    private const string Resampler = "builtin-lanczos-x4";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sigterm_reports_not_serving_refuses_new_calls_and_ends_an_open_stream_resumably_on_another_instance()
    {
        FleetServer[] servers = await Task.WhenAll(FleetServer.StartAsync(drainSeconds: 4), FleetServer.StartAsync(drainSeconds: 4));
        using FleetServer draining = servers[0];
        using FleetServer other = servers[1];
        using var channel = GrpcChannel.ForAddress(draining.Address);
        var service = new RestoreService.RestoreServiceClient(channel);
        var health = new Health.HealthClient(channel);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "restoregrpc.v1.RestoreService" }, cancellationToken: Ct)).Status);

        // A stream that got one tile back and waits (its client is slow): open when the SIGTERM comes.
        var source = new RawTileSource(64, 48, seed: 3);
        var header = new StreamHeader
        {
            Options = new Contracts.V1.RestoreOptions { Model = Resampler, Tiling = new TileOptions { TileSize = 16 } },
            Width = source.Width,
            Height = source.Height,
            PixelFormat = new PixelFormat { BitDepth = 8, ChannelCount = 3 },
        };
        using AsyncDuplexStreamingCall<RestoreStreamRequest, RestoreStreamResponse> call = service.RestoreStream(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = header }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        StreamPlan plan = call.ResponseStream.Current.Plan;
        await call.RequestStream.WriteAsync(new RestoreStreamRequest { Tile = InputTile(source, plan, 0) }, Ct);
        while (await call.ResponseStream.MoveNext(Ct) && call.ResponseStream.Current.Tile is not { Last: true })
        {
        }

        draining.Terminate();

        // Health turns NOT_SERVING (liveness and readiness) while the server still answers.
        while ((await health.CheckAsync(new HealthCheckRequest { Service = string.Empty }, cancellationToken: Ct)).Status != ServingStatus.NotServing)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "restoregrpc.v1.RestoreService" }, cancellationToken: Ct)).Status);
        RpcException refused = await Assert.ThrowsAsync<RpcException>(async () => await service.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal("SERVER_DRAINING", refused.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);

        // The open stream ends with UNAVAILABLE naming its job once the grace period is over.
        RpcException ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(Ct))
            {
            }
        });
        // Normally UNAVAILABLE with the job in ErrorInfo. When the host closes the connection (GOAWAY) before that
        // trailer is flushed, which a loaded machine showed, the client sees the connection end instead: resumable
        // too (the SDKs resume INTERNAL and UNAVAILABLE with the job id they already have), never a silent success.
        // The drain now counts a call until Kestrel has completed its response (DrainInterceptor), so Kestrel's stop
        // no longer begins while the trailer is still being produced; but once the last stream has completed, Kestrel's
        // graceful close writes its final GOAWAY and closes the connection on its own, and no public API tells the
        // server that a completed stream's frames reached the socket (the limit UnreadResponseTests documents too).
        // The race did not show in 4 runs here (2 before that change, 2 after), so the change is not shown to remove
        // it, and the connection ending stays accepted.
        TestContext.Current.TestOutputHelper?.WriteLine($"the open stream ended with {ended.Status}");
        if (ended.StatusCode == StatusCode.Unavailable)
        {
            ErrorInfo? info = ended.GetRpcStatus()?.GetDetail<ErrorInfo>();
            Assert.NotNull(info);
            Assert.Equal("SERVER_DRAINING", info.Reason);
            Assert.Equal(plan.JobId, info.Metadata["job_id"]);
        }
        else
        {
            Assert.True(
                ended.StatusCode == StatusCode.Internal && ended.Status.DebugException is System.Net.Http.HttpProtocolException,
                "the stream ended with " + ended.Status);
        }

        await draining.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, draining.ExitCode);
        Assert.Contains("Draining: health NOT_SERVING", draining.Output, StringComparison.Ordinal);

        // Another instance never saw the job: it rebuilds it from the header, and only the tiles not held are pending.
        using var otherChannel = GrpcChannel.ForAddress(other.Address);
        using AsyncDuplexStreamingCall<RestoreStreamRequest, RestoreStreamResponse> resumed = new RestoreService.RestoreServiceClient(otherChannel).RestoreStream(cancellationToken: Ct);
        header.JobId = plan.JobId;
        header.HeldTiles.Add(0);
        await resumed.RequestStream.WriteAsync(new RestoreStreamRequest { Header = header }, Ct);
        Assert.True(await resumed.ResponseStream.MoveNext(Ct));
        StreamPlan rebuilt = resumed.ResponseStream.Current.Plan;
        Assert.True(rebuilt.Rebuilt);
        Assert.NotEqual(plan.JobId, rebuilt.JobId);
        Assert.Equal((plan.TileCount, plan.TileCount - 1), (rebuilt.TileCount, rebuilt.PendingTileCount));

        int sent = 0;
        int credit = rebuilt.InitialCredit;
        var received = new HashSet<int>();
        StreamSummary? summary = null;
        for (int index = 1; index < plan.TileCount && sent < credit; index++, sent++)
        {
            await resumed.RequestStream.WriteAsync(new RestoreStreamRequest { Tile = InputTile(source, plan, index) }, Ct);
        }

        while (summary is null && await resumed.ResponseStream.MoveNext(Ct))
        {
            RestoreStreamResponse response = resumed.ResponseStream.Current;
            if (response.Tile is { Last: true } tile)
            {
                received.Add(tile.Index);
            }
            else if (response.Credit is { } grant)
            {
                credit += grant.TileCount;
                for (; sent < credit && sent + 1 < plan.TileCount; sent++)
                {
                    await resumed.RequestStream.WriteAsync(new RestoreStreamRequest { Tile = InputTile(source, plan, sent + 1) }, Ct);
                }
            }

            summary = response.Summary;
        }

        Assert.NotNull(summary);
        Assert.Equal(plan.TileCount - 1, summary.ComputedTileCount);
        Assert.DoesNotContain(0, received);
        Assert.Equal(plan.TileCount - 1, received.Count);
    }

    private static InputTile InputTile(RawTileSource source, StreamPlan plan, int index)
    {
        TilePlan tiles = TilePlan.Create(source.Width, source.Height, new TilePlanOptions(plan.TileSize, plan.TileMargin, plan.ModelScale));
        var window = new byte[plan.WindowWidth * plan.WindowHeight * 3];
        source.ReadWindow(tiles[index].Window, window);
        return new InputTile { Index = index, Pixels = ByteString.CopyFrom(window) };
    }
}
