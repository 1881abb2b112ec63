using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>
/// The server names its span in a <c>traceresponse</c> trailer (W3C Trace Context Level 2), with or without a trace
/// exporter configured: how the SDK conformance kit sees that a caller's <c>traceparent</c> reached the server span.
/// </summary>
public sealed class TraceResponseTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerSpanId = "00f067aa0ba902b7";

    [Fact]
    public async Task A_successful_and_a_failed_call_answer_with_the_callers_trace_id_and_a_server_span_of_their_own()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        using GrpcChannel channel = GrpcChannel.ForAddress(server.Address);
        var client = new RestoreService.RestoreServiceClient(channel);
        var headers = new Metadata { { "traceparent", $"00-{TraceId}-{CallerSpanId}-01" } };

        using AsyncUnaryCall<ListModelsResponse> call = client.ListModelsAsync(new ListModelsRequest(), headers, cancellationToken: ct);
        await call;
        AssertServerSpan(call.GetTrailers());

        var failed = await Assert.ThrowsAsync<RpcException>(async () => await client.RestoreAsync(
            new RestoreRequest { Image = ByteString.CopyFromUtf8("not an image") }, headers, cancellationToken: ct));
        Assert.Equal(StatusCode.InvalidArgument, failed.StatusCode);
        AssertServerSpan(failed.Trailers);
    }

    private static void AssertServerSpan(Metadata trailers)
    {
        string? value = trailers.GetValue("traceresponse");
        Assert.NotNull(value);
        string[] parts = value.Split('-');
        Assert.Equal(4, parts.Length);
        Assert.Equal("00", parts[0]);
        Assert.Equal(TraceId, parts[1]);
        Assert.Matches("^[0-9a-f]{16}$", parts[2]);
        Assert.NotEqual(CallerSpanId, parts[2]);
    }
}
