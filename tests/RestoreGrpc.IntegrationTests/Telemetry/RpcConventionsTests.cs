using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using RestoreGrpc.Cli;
using RestoreGrpc.Client.Streaming;
using RestoreGrpc.Contracts.Telemetry;
using RestoreGrpc.TestSupport;
using RestoreOptions = RestoreGrpc.Client.RestoreOptions;
using StatusCode = Grpc.Core.StatusCode;

namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>
/// The server's and the client's spans of real calls (a unary Restore, a failing one, a duplex RestoreStream),
/// captured by in-memory exporters on both sides, carry one version of the RPC conventions
/// (<see cref="RpcConventions"/>): the same names and attributes, and none of the older ones.
/// </summary>
[Collection(ClientTracingGroup.Name)]
public sealed class RpcConventionsTests
{
    private const string Restore = "restoregrpc.v1.RestoreService/Restore";
    private const string RestoreStream = "restoregrpc.v1.RestoreService/RestoreStream";

    private static readonly string[] OlderAttributes =
        ["rpc.system", "rpc.service", "rpc.grpc.status_code", "rpc.response.status_code", "grpc.method", "grpc.status_code", "server.socket.address"];

    [Fact]
    public async Task Server_and_client_spans_of_unary_failing_and_streamed_calls_carry_the_same_rpc_conventions()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var serverSpans = new List<Activity>();
        var clientSpans = new List<Activity>();
        using TracerProvider clientTracing = Sdk.CreateTracerProviderBuilder()
            .AddRestoreClientTracing()
            .AddInMemoryExporter(clientSpans)
            .Build();

        string input = Path.Combine(Path.GetTempPath(), $"rpc-conventions-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(input, SyntheticImages.AlphaGradientPng(40, 32), ct);
        Uri address;
        try
        {
            await using LoopbackServer server = await LoopbackServer.StartAsync(
                builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(serverSpans)),
                // Tracing is wired when an OTLP endpoint is set; nothing listens there (the in-memory exporter is read).
                "--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9");
            address = server.Address;
            byte[] image = await File.ReadAllBytesAsync(input, ct);
            await server.Client.RestoreAsync(image, new RestoreOptions { Model = "builtin-lanczos-x4" }, ct);
            await Assert.ThrowsAsync<RpcException>(() => server.Client.RestoreAsync(image, new RestoreOptions { Model = "no-such-model" }, ct));
            using (ImageTileSource source = ImageTileSource.Load(input))
            using (var sink = new ImageTileSink())
            {
                await server.Client.RestoreLargeAsync(source, sink, new RestoreOptions { Model = "builtin-lanczos-x4" }, progress: null, ct);
            }
        }
        finally
        {
            File.Delete(input);
        }

        Assert.True(clientTracing.ForceFlush(10_000));
        // The tracer provider hears every gRPC client in the process (tests run in parallel): this server's calls only.
        var clients = clientSpans.Where(s => s.Kind == ActivityKind.Client && Equals(s.GetTagItem(RpcConventions.ServerPort), address.Port)).ToList();
        var servers = serverSpans.Where(s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem(RpcConventions.ServerPort), address.Port)).ToList();
        foreach (Activity span in clients.Concat(servers))
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{span.Kind} \"{span.DisplayName}\" {span.Status}: {string.Join(", ", span.TagObjects.Select(t => $"{t.Key}={t.Value}"))}");
        }

        Assert.Equal(3, clients.Count);
        Assert.Equal(3, servers.Count);
        foreach (Activity span in clients.Concat(servers))
        {
            Assert.Equal(RpcConventions.GrpcSystem, span.GetTagItem(RpcConventions.SystemName));
            Assert.Equal(span.DisplayName, span.GetTagItem(RpcConventions.Method));
            Assert.All(OlderAttributes, older => Assert.Null(span.GetTagItem(older)));
        }

        foreach (Activity client in clients)
        {
            Assert.Equal(address.Host, client.GetTagItem(RpcConventions.ServerAddress));
            Assert.Equal(address.Port, Convert.ToInt32(client.GetTagItem(RpcConventions.ServerPort), System.Globalization.CultureInfo.InvariantCulture));
            // The server span of each call is the child of its client span: the trace context went out.
            Activity server = Assert.Single(servers, s => s.ParentSpanId == client.SpanId);
            Assert.Equal(client.TraceId, server.TraceId);
            Assert.Equal(client.DisplayName, server.DisplayName);
            Assert.Equal(client.GetTagItem(RpcConventions.Status), server.GetTagItem(RpcConventions.Status));
        }

        Activity[] ok = clients.Where(c => (string?)c.GetTagItem(RpcConventions.Status) == "OK").ToArray();
        Assert.Equal([Restore, RestoreStream], ok.Select(c => c.DisplayName).Order());
        Assert.All(ok, c => Assert.Equal(ActivityStatusCode.Unset, c.Status));
        Assert.All(ok, c => Assert.Null(c.GetTagItem(RpcConventions.ErrorType)));

        // NOT_FOUND: the client's error, not the server's (the conventions' server error list).
        Activity failedClient = Assert.Single(clients, c => (string?)c.GetTagItem(RpcConventions.Status) != "OK");
        Assert.Equal(Restore, failedClient.DisplayName);
        Assert.Equal("NOT_FOUND", failedClient.GetTagItem(RpcConventions.Status));
        Assert.Equal("NOT_FOUND", failedClient.GetTagItem(RpcConventions.ErrorType));
        Assert.Equal(ActivityStatusCode.Error, failedClient.Status);
        Activity failedServer = Assert.Single(servers, s => s.ParentSpanId == failedClient.SpanId);
        Assert.Null(failedServer.GetTagItem(RpcConventions.ErrorType));
        Assert.Equal(ActivityStatusCode.Unset, failedServer.Status);
    }

    [Theory]
    [InlineData(StatusCode.OK, "OK", false, false)]
    [InlineData(StatusCode.InvalidArgument, "INVALID_ARGUMENT", false, true)]
    [InlineData(StatusCode.ResourceExhausted, "RESOURCE_EXHAUSTED", false, true)]
    [InlineData(StatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED", true, true)]
    [InlineData(StatusCode.Internal, "INTERNAL", true, true)]
    [InlineData(StatusCode.Unauthenticated, "UNAUTHENTICATED", false, true)]
    [InlineData((StatusCode)99, "99", false, true)]
    public void Status_names_and_error_classes_follow_the_conventions(StatusCode status, string name, bool serverError, bool clientError)
    {
        Assert.Equal(name, RpcConventions.StatusName(status));
        Assert.Equal(serverError, RpcConventions.IsServerError(status));
        Assert.Equal(clientError, RpcConventions.IsClientError(status));
    }
}
