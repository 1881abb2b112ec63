using System.Diagnostics;
using Grpc.Core;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// Names the server span back to the caller: every call's trailers carry <c>traceresponse</c> (W3C Trace Context
/// Level 2: <c>00-{trace id}-{span id}-{flags}</c>), so a client (or the SDK conformance kit) can see that its
/// <c>traceparent</c> reached the server and find the server's span without a trace backend.
/// </summary>
internal static class TraceResponse
{
    public const string TrailerName = "traceresponse";

    public static void Add(ServerCallContext context, Activity? span)
    {
        if (span is null || span.IdFormat != ActivityIdFormat.W3C)
        {
            return;
        }

        string flags = (span.ActivityTraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00";
        context.ResponseTrailers.Add(TrailerName, $"00-{span.TraceId.ToHexString()}-{span.SpanId.ToHexString()}-{flags}");
    }
}
