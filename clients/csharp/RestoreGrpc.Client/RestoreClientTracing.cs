using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using RestoreGrpc.Contracts.Telemetry;

namespace RestoreGrpc.Client;

/// <summary>
/// Client spans without a hand-written interceptor: every call, unary or streamed (RestoreStream,
/// RestoreWithProgress), is traced by Grpc.Net.Client's own activity (source <see cref="ActivitySourceName"/>, one
/// span from the call's start to its final status), and HttpClient sends its W3C trace context
/// (<c>traceparent</c>), so the server's spans join the caller's trace. The SDK itself needs no OpenTelemetry
/// package. <see cref="ApplyRpcConventions"/> names those spans and their attributes by the RPC conventions the server
/// uses (<see cref="RpcConventions"/>); an OpenTelemetry processor calls it when a span ends (the CLI does).
/// </summary>
public static class RestoreClientTracing
{
    /// <summary>Grpc.Net.Client's ActivitySource: add it (or OpenTelemetry.Instrumentation.GrpcNetClient, which also
    /// records <c>server.address</c>/<c>server.port</c>) to a tracer provider to record the client spans.</summary>
    public const string ActivitySourceName = "Grpc.Net.Client";

    /// <summary>The operation name of Grpc.Net.Client's call activity.</summary>
    public const string CallActivityName = "Grpc.Net.Client.GrpcOut";

    // What Grpc.Net.Client and OpenTelemetry.Instrumentation.GrpcNetClient put on the span by older conventions
    // (1.20.1-beta.1 already writes rpc.system.name and the full rpc.method, but the status as
    // rpc.response.status_code, the name before semantic-conventions v1.44.0).
    private const string GrpcMethodTag = "grpc.method";
    private const string GrpcStatusTag = "grpc.status_code";
    private const string ResponseStatusTag = "rpc.response.status_code";
    private static readonly string[] LegacyTags =
        [GrpcMethodTag, GrpcStatusTag, ResponseStatusTag, "rpc.system", "rpc.service", "rpc.grpc.status_code", "server.socket.address"];

    /// <summary>
    /// Rewrites a finished gRPC client span (<see cref="CallActivityName"/>; others are left alone) to the RPC
    /// conventions: named <c>{rpc.method}</c>, with <c>rpc.system.name</c>, <c>rpc.method</c>, <c>rpc.status_code</c>,
    /// <c>error.type</c> and error status for any status but OK, and <c>server.address</c>/<c>server.port</c> where
    /// the instrumentation recorded them; the older attributes are removed, so one version remains.
    /// </summary>
    public static void ApplyRpcConventions(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        if (activity.OperationName != CallActivityName)
        {
            return;
        }

        string? method = activity.GetTagItem(GrpcMethodTag) is string path
            ? RpcConventions.MethodName(path)
            : activity.GetTagItem("rpc.service") is string service && activity.GetTagItem(RpcConventions.Method) is string name
                ? $"{service}/{name}"
                : activity.GetTagItem(RpcConventions.Method) as string;
        StatusCode? status = ReadStatus(activity);
        string? statusName = status is { } known ? RpcConventions.StatusName(known) : activity.GetTagItem(ResponseStatusTag) as string ?? activity.GetTagItem(RpcConventions.Status) as string;
        string? address = activity.GetTagItem(RpcConventions.ServerAddress) as string ?? activity.GetTagItem("server.socket.address") as string;
        foreach (string legacy in LegacyTags)
        {
            activity.SetTag(legacy, null);
        }

        activity.SetTag(RpcConventions.SystemName, RpcConventions.GrpcSystem);
        if (method is not null)
        {
            activity.DisplayName = method;
            activity.SetTag(RpcConventions.Method, method);
        }

        if (address is not null)
        {
            activity.SetTag(RpcConventions.ServerAddress, address);
        }

        if (statusName is not null)
        {
            activity.SetTag(RpcConventions.Status, statusName);
            if (status is { } code ? RpcConventions.IsClientError(code) : statusName != RpcConventions.StatusName(StatusCode.OK))
            {
                activity.SetTag(RpcConventions.ErrorType, statusName);
                activity.SetStatus(ActivityStatusCode.Error, statusName);
            }
        }
    }

    private static StatusCode? ReadStatus(Activity activity) => activity.GetTagItem(GrpcStatusTag) switch
    {
        string text when int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int code) => (StatusCode)code,
        _ => activity.GetTagItem("rpc.grpc.status_code") switch
        {
            int code => (StatusCode)code,
            long code => (StatusCode)code,
            _ => null,
        },
    };
}
