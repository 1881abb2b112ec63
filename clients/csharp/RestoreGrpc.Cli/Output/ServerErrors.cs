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
        bool tls = IsTlsFailure(exception);
        if (!tls && !IsUnreachable(exception))
        {
            return exception.Describe();
        }

        string reason = Innermost(exception.Status.DebugException)?.Message is { Length: > 0 } message
            ? $" ({message.TrimEnd('.')})"
            : string.Empty;
        if (tls)
        {
            // UNAVAILABLE, or INTERNAL when the channel has call credentials (grpc-dotnet's wording differs).
            return $"the TLS handshake with {server} failed{reason}. Pass the CA that signed the server's certificate with --ca, and check that the certificate names the host dialled; a server that requires mTLS also needs --cert/--key.";
        }

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

    /// <summary>True when the call failed in the TLS handshake (untrusted or misnamed server certificate, refused client certificate).</summary>
    public static bool IsTlsFailure(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? e = exception.Status.DebugException; e is not null; e = e.InnerException)
        {
            if (e is System.Security.Authentication.AuthenticationException)
            {
                return true;
            }
        }

        return false;
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
