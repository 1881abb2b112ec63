namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>A real Prometheus scrapes the server's /metrics (HTTP/1.1 metrics address) and answers queries.</summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task Prometheus_scrapes_the_request_counter_by_method_and_status()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LoopbackServer server = await LoopbackServer.StartAsync("--Restore:Telemetry:MetricsUrl=http://127.0.0.1:0");
        for (int i = 0; i < 3; i++)
        {
            await server.Client.ListModelsAsync(ct);
        }

        await using PrometheusServer prometheus = PrometheusServer.Start(server.MetricsAddress);
        double? served = await prometheus.WaitForValueAsync(
            "sum(restoregrpc_requests_total{rpc_service=\"restoregrpc.v1.RestoreService\",rpc_method=\"ListModels\",rpc_grpc_status_code=\"0\"})",
            atLeast: 3,
            ct);

        if (!(served >= 3))
        {
            Assert.Fail($"Prometheus reported {served?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"} ListModels calls, expected at least 3; {await prometheus.DescribeAsync(ct)}");
        }
    }
}
