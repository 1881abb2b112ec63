using System.Diagnostics;
using Grpc.AspNetCore.Server;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// Makes ASP.NET Core's HTTP server span a gRPC server span by the OpenTelemetry RPC conventions: named
/// <c>restoregrpc.v1.RestoreService/Restore</c> (not <c>POST /…</c>), with <c>rpc.system</c>, <c>rpc.service</c> and
/// <c>rpc.method</c>. Runs when the span ends, after the instrumentation has named it from the route.
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

        var method = RpcMethod.Parse(grpc.Method.FullName);
        activity.DisplayName = method.SpanName;
        activity.SetTag(RpcAttributes.System, RpcAttributes.GrpcSystem);
        activity.SetTag(RpcAttributes.Service, method.Service);
        activity.SetTag(RpcAttributes.Method, method.Name);
    }
}
