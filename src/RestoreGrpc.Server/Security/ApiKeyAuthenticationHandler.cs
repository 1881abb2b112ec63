using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace RestoreGrpc.Server.Security;

/// <summary>The <c>ApiKey</c> scheme: the call's <c>x-api-key</c> metadata, hashed and compared (in constant time)
/// with <see cref="AuthOptions.ApiKeys"/>. No header → no result (another credential, or UNAUTHENTICATED); an
/// unknown or revoked key → failure, with the same message either way.</summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The metadata key clients send their API key in.</summary>
    public const string Header = "x-api-key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        ApiKeyEntry? entry = values.Count == 1 && values[0] is { Length: > 0 } presented ? ApiKeyHash.Find(auth.Value.ApiKeys, presented) : null;
        if (entry is null || entry.Revoked)
        {
            // The log says which known key was revoked (its id, never the key); an unknown key stays unknown.
            if (entry is not null)
            {
                LogRevoked(Logger, entry.Id);
            }

            return Task.FromResult(AuthenticateResult.Fail("invalid credentials"));
        }

        ClaimsIdentity identity = RestoreIdentity.Create(SchemeName, entry.Tenant, entry.Roles, "api-key:" + entry.Id);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "API key {KeyId} is revoked; call refused")]
    private static partial void LogRevoked(ILogger logger, string keyId);
}
