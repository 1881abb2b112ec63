using RestoreGrpc.TestSupport;
using RestoreOptions = RestoreGrpc.Client.RestoreOptions;

namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>A real Prometheus scrapes the server's /metrics (HTTP/1.1 metrics address) and answers queries.</summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task Prometheus_scrapes_the_request_counter_by_method_and_status()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LoopbackServer server = await LoopbackServer.StartAsync(LoopbackServer.WithMetrics);
        for (int i = 0; i < 3; i++)
        {
            await server.Client.ListModelsAsync(ct);
        }

        await using PrometheusServer prometheus = PrometheusServer.Start(server.MetricsAddress);
        double? served = await prometheus.WaitForValueAsync(
            "sum(restoregrpc_requests_total{rpc_system_name=\"grpc\",rpc_method=\"restoregrpc.v1.RestoreService/ListModels\",rpc_status_code=\"OK\"})",
            atLeast: 3,
            ct);

        if (!(served >= 3))
        {
            Assert.Fail($"Prometheus reported {served?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"} ListModels calls, expected at least 3; {await prometheus.DescribeAsync(ct)}");
        }
    }

    [Fact]
    public async Task Seconds_histograms_have_buckets_that_resolve_10_ms_and_10_s_in_a_real_scrape()
    {
        // OpenTelemetry's default boundaries (0, 5, 10, 25 … 10000) are for milliseconds: with them a seconds histogram
        // has no 10 ms boundary at all and everything under 5 s shares one bucket.
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LoopbackServer server = await LoopbackServer.StartAsync(LoopbackServer.WithMetrics);
        await server.Client.RestoreAsync(SyntheticImages.AlphaGradientPng(24, 16), new RestoreOptions { Model = "builtin-lanczos-x4" }, ct);

        await using PrometheusServer prometheus = PrometheusServer.Start(server.MetricsAddress);
        foreach (string histogram in new[] { "rpc_server_call_duration_seconds", "restoregrpc_queue_wait_duration_seconds", "restoregrpc_inference_duration_seconds" })
        {
            foreach (string boundary in new[] { "0.01", "0.025", "5", "10", "30" })
            {
                // Prometheus 3 writes le as a float ("10.0"), Prometheus 2 as the exporter did ("10").
                string query = $"count({histogram}_bucket{{le=~\"{boundary.Replace(".", "\\\\.", StringComparison.Ordinal)}(\\\\.0)?\"}})";
                double? series = await prometheus.WaitForValueAsync(query, atLeast: 1, ct);
                if (!(series >= 1))
                {
                    Assert.Fail($"no {histogram} bucket le={boundary} ({query}); {await prometheus.DescribeAsync(ct)}");
                }
            }
        }
    }
}
