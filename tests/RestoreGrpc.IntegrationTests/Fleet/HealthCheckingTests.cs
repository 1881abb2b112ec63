using RestoreGrpc.Client;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Fleet;

/// <summary>
/// The SDK's health-aware balancing (gRFC A17 over <c>grpc.health.v1</c>): of three instances, the one whose default
/// model has no file reports NOT_SERVING on its readiness name and gets no call, though it would serve a call naming
/// the resampler, as a client with health checking off shows.
/// </summary>
public sealed class HealthCheckingTests
{
    private const string Resampler = "builtin-lanczos-x4";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_health_aware_client_sends_no_call_to_an_instance_that_is_not_ready_and_a_plain_one_does()
    {
        FleetServer[] servers = await Task.WhenAll(
            FleetServer.StartAsync(drainSeconds: 1),
            FleetServer.StartAsync(drainSeconds: 1),
            // A default model with no file in the (empty) models directory: readiness is NOT_SERVING.
            FleetServer.StartAsync(drainSeconds: 1, "--Restore:Models:DefaultModel=realesr-general-x4v3"));
        try
        {
            FleetServer[] ready = servers[..2];
            FleetServer unready = servers[2];
            using var http = new HttpClient();
            byte[] image = SyntheticImages.AlphaGradientPng(40, 24);
            var restoreOptions = new RestoreOptions { Model = Resampler, Format = OutputFormat.Png };

            using (var client = new RestoreClient(OptionsFor(servers, RestoreClientOptions.DefaultHealthCheckService)))
            {
                byte[] expected = (await client.RestoreAsync(image, restoreOptions, Ct)).Image.ToArray();
                long[] served;
                await using (var load = new UnaryLoad(client, image, restoreOptions, expected, workers: 3, Ct))
                {
                    served = await FleetServer.WaitUntilEachServedAsync(ready, http, Ct);
                    // Well past the first round-robin rounds, so a pick of the unready instance would have happened.
                    for (int round = 0; round < 600 && load.Completed < 30; round++)
                    {
                        await Task.Delay(100, Ct);
                    }

                    await load.StopAsync();
                    Assert.True(load.Failures.Count == 0, "failed calls: " + string.Join(" | ", load.Failures));
                    Assert.True(load.Completed >= 30, $"only {load.Completed} calls completed");
                }

                Assert.All(served, n => Assert.True(n > 0, $"a ready instance served no call: {string.Join(", ", served)}"));
                Assert.Equal(0, await unready.RestoreCountAsync(http, Ct));
            }

            using (var plain = new RestoreClient(OptionsFor(servers, healthCheckService: null)))
            {
                long unreadyServed = 0;
                for (int call = 0; call < 60 && unreadyServed == 0; call++)
                {
                    await plain.RestoreAsync(image, restoreOptions, Ct);
                    unreadyServed = await unready.RestoreCountAsync(http, Ct);
                }

                Assert.True(unreadyServed > 0, "without health checking round-robin never reached the unready instance");
            }
        }
        finally
        {
            foreach (FleetServer server in servers)
            {
                server.Dispose();
            }
        }
    }

    private static RestoreClientOptions OptionsFor(IEnumerable<FleetServer> servers, string? healthCheckService)
    {
        var options = new RestoreClientOptions { MaxAttempts = 5, HealthCheckService = healthCheckService };
        foreach (FleetServer server in servers)
        {
            options.Addresses.Add(server.Address);
        }

        return options;
    }
}
