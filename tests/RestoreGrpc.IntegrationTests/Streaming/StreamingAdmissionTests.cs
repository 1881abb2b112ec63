using Grpc.Core;
using Grpc.Net.Client;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.IntegrationTests.Streaming;

/// <summary>Streams that never started cannot lock other clients out (issue 21, item 1).</summary>
public sealed class StreamingAdmissionTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private const string TenantHeader = "x-restore-tenant";

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Server.Address);

    private RestoreService.RestoreServiceClient Raw => new(_channel);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Header_only_streams_that_were_cancelled_do_not_refuse_anyones_new_stream()
    {
        // One client opens 64 streams (the server's MaxJobs) with a header and nothing else, then cancels them all.
        // Before, their jobs filled MaxJobs for the whole 600 s resume window and every client's stream was refused.
        var cancels = new List<CancellationTokenSource>();
        int opened = 0, refused = 0;
        for (int i = 0; i < 64; i++)
        {
            var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            cancels.Add(cancel);
            AsyncDuplexStreamingCall<RestoreStreamRequest, RestoreStreamResponse> call = Raw.RestoreStream(new Metadata { { TenantHeader, "flood" } }, cancellationToken: cancel.Token);
            await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Header() }, Ct);
            try
            {
                Assert.True(await call.ResponseStream.MoveNext(Ct));
                Assert.NotNull(call.ResponseStream.Current.Plan);
                opened++;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                // Beyond the per-client cap: one client cannot take every place.
                refused++;
            }
        }

        foreach (CancellationTokenSource cancel in cancels)
        {
            await cancel.CancelAsync();
            cancel.Dispose();
        }

        // Another client, and the same one again, get a plan (retrying briefly while the server notices the cancels).
        Assert.NotNull(await OpenWhenAdmittedAsync("other"));
        Assert.NotNull(await OpenWhenAdmittedAsync("flood"));
        Assert.Equal(64, opened + refused);
        Assert.True(refused > 0, "one client could open as many streams as the whole server allows");
    }

    private async Task<StreamPlan?> OpenWhenAdmittedAsync(string tenant)
    {
        var patience = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var call = Raw.RestoreStream(new Metadata { { TenantHeader, tenant } }, cancellationToken: Ct);
            await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Header() }, Ct);
            try
            {
                Assert.True(await call.ResponseStream.MoveNext(Ct));
                return call.ResponseStream.Current.Plan;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && patience.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100, Ct);
            }
        }
    }

    private static StreamHeader Header() => new()
    {
        Options = new RestoreOptions { Model = "builtin-lanczos-x4" },
        Width = 2048,
        Height = 1200,
        PixelFormat = new PixelFormat { BitDepth = 8, ChannelCount = 3 },
    };
}
