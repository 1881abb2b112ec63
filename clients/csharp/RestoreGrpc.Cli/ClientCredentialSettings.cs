using RestoreGrpc.Client;

namespace RestoreGrpc.Cli;

/// <summary>
/// The credentials a command was given (<c>--api-key --token --ca --cert --key</c> or their environment variables).
/// <see cref="ToString"/> says which are set, never the secrets.
/// </summary>
internal sealed record ClientCredentialSettings(
    string? ApiKey = null,
    string? Token = null,
    string? CaPath = null,
    string? CertificatePath = null,
    string? KeyPath = null)
{
    public static ClientCredentialSettings None { get; } = new();

    /// <summary>
    /// Sets these credentials on <paramref name="options"/>. An API key or token over plaintext is allowed to a loopback
    /// address only (a local server); elsewhere the SDK refuses it and the command says to use https://.
    /// </summary>
    public void ApplyTo(RestoreClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ApiKey = ApiKey;
        options.BearerToken = Token;
        options.CaCertificatePath = CaPath;
        if (CertificatePath is not null)
        {
            options.ClientCertificate = ClientCertificates.FromPemFiles(CertificatePath, KeyPath);
        }

        options.AllowInsecureCredentials = options.Address.IsLoopback;
    }

    public override string ToString() =>
        $"{nameof(ClientCredentialSettings)} {{ ApiKey = {Redacted(ApiKey)}, Token = {Redacted(Token)}, CaPath = {CaPath}, CertificatePath = {CertificatePath}, KeyPath = {KeyPath} }}";

    private static string Redacted(string? secret) => secret is null ? "(none)" : "***";
}
