using RestoreGrpc.Client;
using RestoreGrpc.Client.Streaming;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Fleet;

/// <summary>
/// Three server processes behind the SDK's round-robin balancer (a static address list): the load reaches every
/// instance, and with one instance SIGKILLed and one SIGTERM-drained under load no unary request fails and every
/// stream completes, byte-equal to an uninterrupted run (streams resume on the survivors, which rebuild their jobs).
/// </summary>
public sealed class FleetFailoverTests
{
    private const string Resampler = "builtin-lanczos-x4";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Load_spreads_over_three_instances_and_a_killed_and_a_drained_one_lose_no_request_and_no_stream()
    {
        FleetServer[] servers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => FleetServer.StartAsync(drainSeconds: 1)));
        try
        {
            var options = new RestoreClientOptions { MaxAttempts = 5 };
            foreach (FleetServer server in servers)
            {
                options.Addresses.Add(server.Address);
            }

            using var client = new RestoreClient(options);
            using var http = new HttpClient();
            byte[] image = SyntheticImages.AlphaGradientPng(40, 24);
            var unaryOptions = new RestoreOptions { Model = Resampler, Format = OutputFormat.Png };
            var streamOptions = new RestoreOptions { Model = Resampler, TileSize = 16 };
            var source = new RawTileSource(96, 80, seed: 7);

            // The uninterrupted run every result must equal.
            byte[] expectedImage = (await client.RestoreAsync(image, unaryOptions, Ct)).Image.ToArray();
            var reference = new RawTileSink(TimeSpan.Zero);
            await client.RestoreLargeAsync(source, reference, streamOptions, cancellationToken: Ct);

            await using var unary = new UnaryLoad(client, image, unaryOptions, expectedImage, workers: 4, Ct);
            // Round-robin reaches every instance (each counts what it served).
            long[] servedBeforeFaults = await FleetServer.WaitUntilEachServedAsync(servers, http, Ct);

            // Slow clients (a disk-bound sink): the streams are open while the instances fail.
            RawTileSink[] sinks = [.. Enumerable.Range(0, 3).Select(_ => new RawTileSink(TimeSpan.FromMilliseconds(80)))];
            Task<StreamRestoreResult>[] streams = [.. sinks.Select(sink => client.RestoreLargeAsync(source, sink, streamOptions, cancellationToken: Ct))];
            await Task.Delay(TimeSpan.FromMilliseconds(600), Ct);
            servers[0].Kill();
            await Task.Delay(TimeSpan.FromMilliseconds(500), Ct);
            servers[1].Terminate();
            await Task.Delay(TimeSpan.FromSeconds(2), Ct);
            await unary.StopAsync();
            StreamRestoreResult[] results = await Task.WhenAll(streams);

            Assert.All(servedBeforeFaults, served => Assert.True(served > 0, $"an instance served no request: {string.Join(", ", servedBeforeFaults)}"));
            Assert.True(unary.Failures.Count == 0, "failed unary requests: " + string.Join(" | ", unary.Failures));
            Assert.Equal(0, unary.Mismatched);
            Assert.True(unary.Completed > 0);
            Assert.All(sinks, sink =>
            {
                Assert.True(sink.Completed);
                Assert.True(sink.Pixels.AsSpan().SequenceEqual(reference.Pixels), "a resumed stream's output differs from the uninterrupted run");
            });
            // The faults hit the streams: at least one resumed on another instance.
            Assert.True(results.Sum(r => r.Reconnects) > 0, "no stream was interrupted");
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"served before the faults: {string.Join(", ", servedBeforeFaults)}; unary completed: {unary.Completed}; stream reconnects: {string.Join(", ", results.Select(r => r.Reconnects))}");
            await servers[1].WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, servers[1].ExitCode);
        }
        finally
        {
            foreach (FleetServer server in servers)
            {
                server.Dispose();
            }
        }
    }
}
