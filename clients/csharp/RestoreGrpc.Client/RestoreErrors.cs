using Google.Rpc;
using Grpc.Core;

namespace RestoreGrpc.Client;

/// <summary>Reads the structured details (google.rpc) the server attaches to its errors.</summary>
public static class RestoreErrors
{
    /// <summary>Field violations of an INVALID_ARGUMENT error, as (field, description) pairs.</summary>
    public static IReadOnlyList<(string Field, string Description)> FieldViolations(this RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        BadRequest? badRequest = exception.GetRpcStatus()?.GetDetail<BadRequest>();
        return badRequest is null
            ? []
            : badRequest.FieldViolations.Select(v => (v.Field, v.Description)).ToList();
    }

    /// <summary>A one-line, human-readable description of a failed call.</summary>
    public static string Describe(this RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var violations = exception.FieldViolations();
        string detail = violations.Count == 0
            ? exception.Status.Detail
            : string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}"));
        return $"{exception.StatusCode}: {detail}";
    }
}
