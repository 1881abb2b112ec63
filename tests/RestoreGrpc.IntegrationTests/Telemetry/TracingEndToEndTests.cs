using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using RestoreGrpc.Cli;
using RestoreGrpc.Contracts.V1;
using RestoreOptions = RestoreGrpc.Client.RestoreOptions;
using RestoreGrpc.Core.Telemetry;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>
/// End-to-end traces checked on the wire: the caller's process and the server both export OTLP/gRPC to a real
/// receiver (the Aspire dashboard), and the trees are read back from its API.
/// </summary>
[Collection(ClientTracingGroup.Name)]
public sealed class TracingEndToEndTests
{
    private const string RestoreSpan = "restoregrpc.v1.RestoreService/Restore";

    private const string ForeignTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ForeignSpanId = "00f067aa0ba902b7";

    private static readonly ActivitySource Caller = new("RestoreGrpc.IntegrationTests.Caller");

    [Fact]
    public async Task Two_concurrent_restores_reach_a_real_receiver_as_caller_client_server_stage_trees_sharing_one_linked_batch_and_a_foreign_traceparent_is_honoured()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using AspireDashboard dashboard = await AspireDashboard.StartAsync(ct);
        byte[] image = SyntheticImages.AlphaGradientPng(40, 32);
        var options = new RestoreOptions { Model = "builtin-lanczos-x4" };
        string[] traceIds;
        TracerProvider callerTracing;
        await using (LoopbackServer server = await LoopbackServer.StartAsync(
            $"--OTEL_EXPORTER_OTLP_ENDPOINT={dashboard.OtlpEndpoint}",
            // The two calls' tiles have one shape; a long batching delay lets them meet in one batch.
            "--Restore:Batching:MaxBatch=4",
            "--Restore:Batching:MaxDelayMs=3000"))
        {
            // A caller without the SDK: its own traceparent in the metadata is honoured.
            using GrpcChannel channel = GrpcChannel.ForAddress(server.Address);
            await new RestoreService.RestoreServiceClient(channel).ListModelsAsync(
                new ListModelsRequest(),
                new Metadata { { "traceparent", $"00-{ForeignTraceId}-{ForeignSpanId}-01" } },
                cancellationToken: ct);

            // Client tracing from here on (it would give the foreign call a traceparent of its own).
            callerTracing = Sdk.CreateTracerProviderBuilder()
                .AddSource(Caller.Name)
                .AddRestoreClientTracing()
                .AddOtlpExporter(otlp =>
                {
                    otlp.Endpoint = dashboard.OtlpEndpoint;
                    otlp.Protocol = OtlpExportProtocol.Grpc;
                })
                .Build();
            traceIds = await Task.WhenAll(Enumerable.Range(0, 2).Select(async i =>
            {
                using Activity root = Caller.StartActivity($"caller {i}")!;
                await server.Client.RestoreAsync(image, options, ct);
                return root.TraceId.ToHexString();
            }));
        }

        // Stopping the server flushed its exporter; flush the caller's too.
        using (callerTracing)
        {
            Assert.True(callerTracing.ForceFlush(10_000));
        }

        IReadOnlyList<ReceivedSpan> spans = await dashboard.WaitForSpansAsync(
            received => traceIds.All(id => received.Count(s => s.TraceId == id && (s.Name == RestoreStages.Encode || s.Name.StartsWith("caller", StringComparison.Ordinal))) == 2)
                && received.Any(s => s.Name == RestoreStages.BatchInference && traceIds.Contains(s.TraceId))
                && received.Any(s => s.TraceId == ForeignTraceId),
            ct);

        ReceivedSpan foreign = Assert.Single(spans, s => s.TraceId == ForeignTraceId && s.Kind == ReceivedSpan.Server);
        Assert.Equal("restoregrpc.v1.RestoreService/ListModels", foreign.Name);
        Assert.Equal(ForeignSpanId, foreign.ParentSpanId);

        var upscaleSpans = new List<ReceivedSpan>();
        var queueWaits = new List<ReceivedSpan>();
        foreach (string traceId in traceIds)
        {
            var trace = spans.Where(s => s.TraceId == traceId).ToList();
            ReceivedSpan root = Assert.Single(trace, s => s.Scope == Caller.Name);
            Assert.Null(root.ParentSpanId);

            ReceivedSpan client = Assert.Single(trace, s => s.Kind == ReceivedSpan.Client);
            Assert.Equal(RestoreSpan, client.Name);
            Assert.Equal(root.SpanId, client.ParentSpanId);
            Assert.Equal("grpc", client.Attributes["rpc.system.name"]);
            Assert.Equal(RestoreSpan, client.Attributes["rpc.method"]);

            ReceivedSpan server = Assert.Single(trace, s => s.Kind == ReceivedSpan.Server);
            Assert.Equal(RestoreSpan, server.Name);
            Assert.Equal(client.SpanId, server.ParentSpanId);
            Assert.Equal(RestoreSpan, server.Attributes["rpc.method"]);
            Assert.Equal("OK", server.Attributes["rpc.status_code"]);

            foreach (string stage in new[] { RestoreStages.Decode, RestoreStages.Plan, RestoreStages.Upscale, RestoreStages.Encode })
            {
                Assert.Equal(server.SpanId, Assert.Single(trace, s => s.Name == stage).ParentSpanId);
            }

            ReceivedSpan upscale = Assert.Single(trace, s => s.Name == RestoreStages.Upscale);
            ReceivedSpan queueWait = Assert.Single(trace, s => s.Name == RestoreStages.QueueWait);
            Assert.Equal(upscale.SpanId, queueWait.ParentSpanId);
            Assert.Equal(upscale.SpanId, Assert.Single(trace, s => s.Name == RestoreStages.Assemble).ParentSpanId);
            upscaleSpans.Add(upscale);
            queueWaits.Add(queueWait);
        }

        // One batch carried both requests' tiles: it links to each request's span, and each request's queue wait
        // links back to it.
        ReceivedSpan batch = Assert.Single(spans, s => s.Name == RestoreStages.BatchInference && traceIds.Contains(s.TraceId));
        Assert.Equal("2", batch.Attributes[RestoreAttributes.BatchSize]);
        Assert.Equal("builtin-lanczos-x4", batch.Attributes[RestoreAttributes.Model]);
        Assert.Equal(
            upscaleSpans.Select(u => (u.TraceId, u.SpanId)).Order(),
            batch.Links.Order());
        Assert.All(queueWaits, wait => Assert.Equal((batch.TraceId, batch.SpanId), Assert.Single(wait.Links)));
    }
}
