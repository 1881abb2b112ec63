using System.Net.Sockets;
using Grpc.Core;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Output;

/// <summary>How a failed call reads on the command line: an unreachable server names the address and how to set it.</summary>
internal static class ServerErrors
{
    /// <summary>
    /// <c>cannot reach the server at URL (reason). Is it running? Point restore at it with --server URL or
    /// $RESTORE_SERVER.</c> when the call never reached a server; the server's own status otherwise.
    /// </summary>
    public static string Describe(RpcException exception, string server)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (!IsUnreachable(exception))
        {
            return exception.Describe();
        }

        string reason = Innermost(exception.Status.DebugException)?.Message is { Length: > 0 } message
            ? $" ({message.TrimEnd('.')})"
            : string.Empty;
        return $"cannot reach the server at {server}{reason}. Is it running? Point restore at it with --server URL or ${RestoreCli.ServerEnvironmentVariable}.";
    }

    /// <summary>True when the call failed before any server answered (refused, unresolvable, no route, TLS mismatch).</summary>
    public static bool IsUnreachable(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception.StatusCode != StatusCode.Unavailable)
        {
            return false;
        }

        for (Exception? e = exception.Status.DebugException; e is not null; e = e.InnerException)
        {
            if (e is SocketException or HttpRequestException)
            {
                return true;
            }
        }

        // Grpc.Net.Client's load balancer words a failed connection this way (its DebugException is not always set).
        return exception.Status.Detail.StartsWith("Error connecting to subchannel", StringComparison.Ordinal)
            || exception.Status.Detail.StartsWith("Error starting gRPC call", StringComparison.Ordinal);
    }

    private static Exception? Innermost(Exception? exception)
    {
        while (exception?.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }
}
