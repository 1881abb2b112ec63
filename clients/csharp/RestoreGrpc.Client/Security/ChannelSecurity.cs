using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using RestoreGrpc.Client.Balancing;

namespace RestoreGrpc.Client.Security;

/// <summary>
/// Turns the credential settings of <see cref="RestoreClientOptions"/> into channel settings: a TLS handler trusting
/// a private CA and presenting a client certificate, and call credentials adding <c>x-api-key</c> /
/// <c>authorization: Bearer</c> to every call. Misconfigurations fail here, at construction, never with a secret
/// in the message.
/// </summary>
internal static class ChannelSecurity
{
    public const string ApiKeyHeader = "x-api-key";
    public const string AuthorizationHeader = "authorization";

    public static void Apply(RestoreClientOptions options, GrpcChannelOptions channelOptions)
    {
        bool tls = FleetChannel.UsesTls(options);
        X509Certificate2Collection? authorities = Authorities(options);
        if (authorities is not null || options.ClientCertificate is not null)
        {
            if (!tls)
            {
                throw new ArgumentException($"a CA bundle or client certificate needs an https:// address (got {options.Address.GetLeftPart(UriPartial.Authority)})");
            }

            channelOptions.HttpHandler = WithTls(options.HttpHandler, authorities, options.ClientCertificate);
        }

        if (CallCredentialsFor(options) is not { } callCredentials)
        {
            return;
        }

        if (!tls && !options.AllowInsecureCredentials)
        {
            throw new ArgumentException(
                $"refusing to send an API key or bearer token in plaintext to {options.Address.GetLeftPart(UriPartial.Authority)}: use an https:// address, or set AllowInsecureCredentials (loopback, or a mesh that encrypts)");
        }

        channelOptions.Credentials = ChannelCredentials.Create(tls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, callCredentials);
        channelOptions.UnsafeUseInsecureChannelCallCredentials = !tls;
    }

    private static X509Certificate2Collection? Authorities(RestoreClientOptions options)
    {
        if (options.CaCertificatePath is null && options.CaCertificates is not { Count: > 0 })
        {
            return null;
        }

        var authorities = new X509Certificate2Collection();
        if (options.CaCertificates is { } given)
        {
            authorities.AddRange(given);
        }

        if (options.CaCertificatePath is { } path)
        {
            authorities.AddRange(ClientCertificates.FromPemBundle(path));
        }

        return authorities;
    }

    private static SocketsHttpHandler WithTls(HttpMessageHandler? given, X509Certificate2Collection? authorities, X509Certificate2? clientCertificate)
    {
        SocketsHttpHandler handler = given switch
        {
            null => new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            SocketsHttpHandler sockets => sockets,
            _ => throw new ArgumentException($"a CA bundle or client certificate cannot be applied to a {given.GetType().Name}: configure TLS on that handler, or pass a SocketsHttpHandler"),
        };
        if (authorities is not null)
        {
            var trust = new ServerCertificateTrust(authorities);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => trust.Validate(certificate, chain, errors);
        }

        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return handler;
    }

    private static CallCredentials? CallCredentialsFor(RestoreClientOptions options)
    {
        if (options.BearerToken is not null && options.BearerTokenProvider is not null)
        {
            throw new ArgumentException("set BearerToken or BearerTokenProvider, not both");
        }

        string? apiKey = options.ApiKey is { } key ? HeaderSafe(key, nameof(options.ApiKey)) : null;
        string? token = options.BearerToken is { } t ? HeaderSafe(t, nameof(options.BearerToken)) : null;
        Func<CancellationToken, ValueTask<string>>? provider = options.BearerTokenProvider;
        if (apiKey is null && token is null && provider is null)
        {
            return null;
        }

        return CallCredentials.FromInterceptor(async (context, metadata) =>
        {
            if (apiKey is not null)
            {
                metadata.Add(ApiKeyHeader, apiKey);
            }

            string? bearer = token;
            if (provider is not null)
            {
                bearer = HeaderSafe(await provider(context.CancellationToken).ConfigureAwait(false), nameof(options.BearerTokenProvider));
            }

            if (bearer is not null)
            {
                metadata.Add(AuthorizationHeader, "Bearer " + bearer);
            }
        });
    }

    /// <summary>The value trimmed, when it is non-empty visible ASCII (what a header can carry); the error never quotes it.</summary>
    private static string HeaderSafe(string? value, string name)
    {
        string trimmed = value?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            throw new ArgumentException($"{name} is empty");
        }

        foreach (char c in trimmed)
        {
            if (c < '!' || c > '~')
            {
                throw new ArgumentException($"{name} holds characters a gRPC header cannot carry (only visible ASCII); its value is not shown");
            }
        }

        return trimmed;
    }
}
