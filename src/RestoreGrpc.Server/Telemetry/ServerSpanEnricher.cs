using System.Diagnostics;
using Grpc.AspNetCore.Server;
using RestoreGrpc.Contracts.Telemetry;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// Makes ASP.NET Core's HTTP server span a gRPC server span by the RPC conventions (<see cref="RpcConventions"/>):
/// named <c>restoregrpc.v1.RestoreService/Restore</c> (not <c>POST /…</c>), with <c>rpc.system.name</c> and
/// <c>rpc.method</c>; the tags Grpc.AspNetCore adds by older conventions (<c>grpc.method</c>, <c>grpc.status_code</c>)
/// are removed, so one version remains (<see cref="TelemetryInterceptor"/> adds <c>rpc.status_code</c>). Runs when
/// the span ends, after the instrumentation has named it from the route.
/// </summary>
internal static class ServerSpanEnricher
{
    public static void Enrich(Activity activity, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(response);
        if (response.HttpContext.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } grpc)
        {
            return;
        }

        string method = RpcConventions.MethodName(grpc.Method.FullName);
        activity.DisplayName = method;
        activity.SetTag("grpc.method", null);
        activity.SetTag("grpc.status_code", null);
        activity.SetTag(RpcConventions.SystemName, RpcConventions.GrpcSystem);
        activity.SetTag(RpcConventions.Method, method);
    }
}
