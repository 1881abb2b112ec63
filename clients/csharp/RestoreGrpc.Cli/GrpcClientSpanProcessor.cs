using System.Diagnostics;
using OpenTelemetry;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli;

/// <summary>Puts the RPC conventions on gRPC client spans as they end, before any exporter sees them
/// (<see cref="RestoreClientTracing.ApplyRpcConventions"/>); registered ahead of the exporters.</summary>
internal sealed class GrpcClientSpanProcessor : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data) => RestoreClientTracing.ApplyRpcConventions(data);
}
