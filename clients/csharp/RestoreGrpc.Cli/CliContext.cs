using RestoreGrpc.Cli.Output;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli;

/// <summary>What every command needs from its host: where to write and how to reach the server.</summary>
internal sealed class CliContext(CliConsole console, Action<RestoreClientOptions>? configureClient = null)
{
    public CliConsole Console { get; } = console;

    /// <summary>A client for <paramref name="server"/>; <paramref name="adjust"/> runs after the host's own settings.</summary>
    public RestoreClient CreateClient(string server, Action<RestoreClientOptions>? adjust = null)
    {
        var options = new RestoreClientOptions { Address = new Uri(server) };
        configureClient?.Invoke(options);
        adjust?.Invoke(options);
        return new RestoreClient(options);
    }
}
