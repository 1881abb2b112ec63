namespace RestoreGrpc.Server.Telemetry;

/// <summary>A gRPC method path split as the OpenTelemetry RPC conventions want it.</summary>
/// <param name="Service">Full service name, e.g. <c>restoregrpc.v1.RestoreService</c> (<c>rpc.service</c>).</param>
/// <param name="Name">Method name, e.g. <c>Restore</c> (<c>rpc.method</c>).</param>
internal sealed record RpcMethod(string Service, string Name)
{
    /// <summary>The span name: <c>{rpc.service}/{rpc.method}</c>.</summary>
    public string SpanName => $"{Service}/{Name}";

    /// <summary>Parses <c>/package.Service/Method</c>.</summary>
    public static RpcMethod Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string trimmed = path.TrimStart('/');
        int slash = trimmed.LastIndexOf('/');
        return slash < 0 ? new RpcMethod(trimmed, string.Empty) : new RpcMethod(trimmed[..slash], trimmed[(slash + 1)..]);
    }
}
