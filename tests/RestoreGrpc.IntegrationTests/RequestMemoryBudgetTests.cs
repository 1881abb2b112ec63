using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RestoreGrpc.Client;
using RestoreGrpc.Core.Memory;
using RestoreGrpc.IntegrationTests.Telemetry;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests;

/// <summary>Unary requests reserve their memory estimate in the budget before decoding and give it back after the
/// response; over the budget they get RESOURCE_EXHAUSTED with RetryInfo, and /metrics shows both.</summary>
public sealed class RequestMemoryBudgetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_whose_estimate_does_not_fit_is_resource_exhausted_with_retry_info_and_runs_once_there_is_room()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(
            "--Restore:Memory:MaxInFlightMegabytes=64",
            "--Restore:Memory:MaxInFlightWaitMilliseconds=0",
            "--Restore:Memory:RetryAfterMilliseconds=1500",
            LoopbackServer.WithMetrics[0],
            LoopbackServer.WithMetrics[1]);
        MemoryBudget budget = server.Services.GetRequiredService<MemoryBudget>();
        Assert.Equal(64L << 20, budget.CapacityBytes);
        byte[] image = SyntheticImages.AlphaGradientPng(256, 256);
        var options = new RestoreOptions { Model = "builtin-lanczos-x4" };

        // 1 MiB is left: the received message fits, the decoded input, 1024² canvas, tensors and output do not.
        using (budget.Admit(63L << 20))
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => server.Client.RestoreAsync(image, options, Ct));
            Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
            Assert.Equal(TimeSpan.FromMilliseconds(1500), error.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan());
            Assert.Equal(63L << 20, budget.InFlightBytes);

            using var http = new HttpClient();
            string scrape = await http.GetStringAsync(server.MetricsAddress, Ct);
            Assert.Contains(MetricsScrape.SeriesNames(scrape), name => name == "restoregrpc_inflight_bytes");
            // The gauges are process-wide (they sum every server in this test process), so at least this one's.
            Assert.True(Value(scrape, "restoregrpc_inflight_limit_bytes") >= 64L << 20, scrape);
            Assert.True(Value(scrape, "restoregrpc_inflight_bytes") >= 63L << 20, scrape);
        }

        RestoreResult restored = await server.Client.RestoreAsync(image, options, Ct);
        Assert.Equal(1024, restored.Output.Width);
        Assert.InRange(budget.PeakBytes, (63L << 20) + 1, 64L << 20);
        Assert.True(budget.Admissions >= 3);

        // The reservation ends with the HTTP/2 request, just after the client has its response.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (budget.InFlightBytes != 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(0, budget.InFlightBytes);
    }

    /// <summary>The value of the first sample of a series (<c>name{labels} value [timestamp]</c>).</summary>
    private static double Value(string exposition, string series)
    {
        string line = exposition.Split('\n').First(l => l.StartsWith(series, StringComparison.Ordinal) && l.Length > series.Length && l[series.Length] is '{' or ' ');
        string rest = line.Contains('}', StringComparison.Ordinal) ? line[(line.LastIndexOf('}') + 1)..] : line[series.Length..];
        return double.Parse(rest.Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
