namespace RestoreGrpc.Server.Telemetry;

/// <summary>OpenTelemetry RPC semantic-convention attribute names.</summary>
internal static class RpcAttributes
{
    public const string System = "rpc.system";
    public const string Service = "rpc.service";
    public const string Method = "rpc.method";
    public const string GrpcStatusCode = "rpc.grpc.status_code";
    public const string GrpcSystem = "grpc";
}
