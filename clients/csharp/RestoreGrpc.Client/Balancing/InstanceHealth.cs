namespace RestoreGrpc.Client.Balancing;

/// <summary>What an instance's <c>grpc.health.v1</c> watch last said (gRFC A17).</summary>
internal enum InstanceHealth
{
    /// <summary>No answer yet: treated like a subchannel still connecting (calls wait for an answer or go elsewhere).</summary>
    Unknown,

    /// <summary>SERVING, or the instance has no health service (UNIMPLEMENTED: health checking off for it, per A17).</summary>
    Serving,

    /// <summary>NOT_SERVING, SERVICE_UNKNOWN, or the watch failed: the instance gets no picks.</summary>
    NotServing,
}
