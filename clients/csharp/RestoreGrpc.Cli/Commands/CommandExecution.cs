using Grpc.Core;
using RestoreGrpc.Cli.Output;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Commands;

/// <summary>Turns the ways a command can end (cancelled, server error, bad input) into messages and exit codes.</summary>
internal static class CommandExecution
{
    /// <param name="server">The address the command talks to, named when it cannot be reached; null for none.</param>
    public static async Task<int> RunAsync(CliConsole console, Func<Task<int>> body, CancellationToken cancellationToken, string? server = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync("Cancelled.").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (RpcException ex) when (cancellationToken.IsCancellationRequested && ex.StatusCode == StatusCode.Cancelled)
        {
            await console.Error.WriteLineAsync("Cancelled.").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (RpcException ex)
        {
            string message = server is null ? ex.Describe() : ServerErrors.Describe(ex, server);
            await console.Error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (UsageException ex)
        {
            await console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
    }
}
