using RestoreGrpc.Cli.Output;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli;

/// <summary>What every command needs from its host: where to write and how to reach the server.</summary>
internal sealed class CliContext(CliConsole console, Action<RestoreClientOptions>? configureClient = null)
{
    public CliConsole Console { get; } = console;

    /// <summary>
    /// A client for <paramref name="server"/> with <paramref name="credentials"/>; <paramref name="adjust"/> runs after
    /// the host's own settings. Credential settings that do not fit (unreadable certificate, a key over plaintext to a
    /// remote host) are usage errors.
    /// </summary>
    public RestoreClient CreateClient(string server, ClientCredentialSettings? credentials = null, Action<RestoreClientOptions>? adjust = null)
    {
        var options = new RestoreClientOptions { Address = new Uri(server) };
        if (credentials is { ApiKey: not null } or { Token: not null } && options.Address.Scheme == Uri.UriSchemeHttp && !options.Address.IsLoopback)
        {
            throw new UsageException($"--api-key/--token (or ${RestoreCli.ApiKeyEnvironmentVariable}/${RestoreCli.TokenEnvironmentVariable}) need an https:// server: plaintext http:// carries them only to a loopback address (got {options.Address.GetLeftPart(UriPartial.Authority)}).");
        }

        try
        {
            (credentials ?? ClientCredentialSettings.None).ApplyTo(options);
            configureClient?.Invoke(options);
            adjust?.Invoke(options);
            return new RestoreClient(options);
        }
        catch (CertificateLoadException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
    }
}
