using System.CommandLine;

namespace RestoreGrpc.Cli;

/// <summary>
/// <c>--api-key --token --ca --cert --key</c>, valid on every command. The key and token default to
/// <c>$RESTORE_API_KEY</c> / <c>$RESTORE_TOKEN</c>, read when parsing rather than as option defaults so that
/// <c>--help</c> never prints them.
/// </summary>
internal sealed class CredentialOptionSet(string? apiKeyFromEnvironment, string? tokenFromEnvironment)
{
    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"API key sent as x-api-key metadata; defaults to ${RestoreCli.ApiKeyEnvironmentVariable} (prefer it: arguments show in the process list).",
        HelpName = "KEY",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"Bearer token (JWT) sent as 'authorization: Bearer'; defaults to ${RestoreCli.TokenEnvironmentVariable}.",
        HelpName = "TOKEN",
        Recursive = true,
    };

    public Option<string?> Ca { get; } = new("--ca")
    {
        Description = "PEM bundle of the CA(s) that sign the server's certificate (https:// servers), instead of the system store.",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<string?> Certificate { get; } = new("--cert")
    {
        Description = "Client certificate (PEM) for mTLS; its key from --key, or from the same file.",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = "Private key (PEM) of --cert.",
        HelpName = "FILE",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(ApiKey);
        command.Options.Add(Token);
        command.Options.Add(Ca);
        command.Options.Add(Certificate);
        command.Options.Add(Key);
        Key.Validators.Add(result =>
        {
            if (result.GetValue(Certificate) is null)
            {
                result.AddError("--key needs --cert (the certificate the key belongs to).");
            }
        });
    }

    /// <summary>The credentials given, command line first, then the environment; null when none are.</summary>
    public ClientCredentialSettings? Read(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var settings = new ClientCredentialSettings(
            NonEmpty(parseResult.GetValue(ApiKey)) ?? NonEmpty(apiKeyFromEnvironment),
            NonEmpty(parseResult.GetValue(Token)) ?? NonEmpty(tokenFromEnvironment),
            NonEmpty(parseResult.GetValue(Ca)),
            NonEmpty(parseResult.GetValue(Certificate)),
            NonEmpty(parseResult.GetValue(Key)));
        return settings == ClientCredentialSettings.None ? null : settings;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
