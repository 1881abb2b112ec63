using Grpc.Core;

namespace RestoreGrpc.Contracts.Telemetry;

/// <summary>
/// The one version of OpenTelemetry's RPC semantic conventions that the server, the C# SDK and the CLI speak
/// (semantic-conventions v1.44.0: the RPC release candidate that v1.45.0 marks stable): span name
/// <c>{rpc.method}</c>; <c>rpc.system.name</c> <c>grpc</c>; <c>rpc.method</c> the fully-qualified method
/// (<c>restoregrpc.v1.RestoreService/Restore</c>; <c>rpc.service</c> is gone); <c>rpc.status_code</c> the status as
/// a string (<c>OK</c>, <c>INVALID_ARGUMENT</c>; it replaces the numeric <c>rpc.grpc.status_code</c>);
/// <c>error.type</c> the same string when the call failed; <c>server.address</c> and <c>server.port</c> on client spans.
/// The same attributes label the RPC metrics.
/// </summary>
public static class RpcConventions
{
    public const string SystemName = "rpc.system.name";
    public const string Method = "rpc.method";
    public const string Status = "rpc.status_code";
    public const string ErrorType = "error.type";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";

    /// <summary>The value of <see cref="SystemName"/>.</summary>
    public const string GrpcSystem = "grpc";

    // gRPC's canonical code names (https://grpc.github.io/grpc/core/md_doc_statuscodes.html), by code.
    private static readonly string[] StatusNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    /// <summary><c>rpc.method</c> of a gRPC path: <c>/restoregrpc.v1.RestoreService/Restore</c> →
    /// <c>restoregrpc.v1.RestoreService/Restore</c>; also the span name.</summary>
    public static string MethodName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.TrimStart('/');
    }

    /// <summary><c>rpc.status_code</c>: the canonical name (<c>OK</c>, <c>NOT_FOUND</c>), or the number for a code gRPC
    /// does not define.</summary>
    public static string StatusName(StatusCode status) =>
        (int)status >= 0 && (int)status < StatusNames.Length ? StatusNames[(int)status] : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether a server span or measurement counts <paramref name="status"/> as an error (the conventions'
    /// list: the caller's mistakes such as INVALID_ARGUMENT or NOT_FOUND are not the server's errors).</summary>
    public static bool IsServerError(StatusCode status) => status is StatusCode.Unknown
        or StatusCode.DeadlineExceeded
        or StatusCode.Unimplemented
        or StatusCode.Internal
        or StatusCode.Unavailable
        or StatusCode.DataLoss;

    /// <summary>Whether a client span counts <paramref name="status"/> as an error: every status but OK.</summary>
    public static bool IsClientError(StatusCode status) => status != StatusCode.OK;
}
