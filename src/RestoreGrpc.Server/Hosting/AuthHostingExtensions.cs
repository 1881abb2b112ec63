using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using RestoreGrpc.Server.Security;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// Authentication and authorization from <see cref="AuthOptions"/> through ASP.NET Core: the <c>ApiKey</c> scheme
/// (<see cref="ApiKeyAuthenticationHandler"/>), JWT bearer (when an issuer is configured) and the client-certificate
/// scheme of <see cref="TlsHostingExtensions"/>, behind one policy scheme that picks by the credential the call
/// carries; the policies of <see cref="RestorePolicies"/>; and gRPC statuses for refusals
/// (<see cref="GrpcAuthorizationResultHandler"/>).
/// </summary>
internal static class AuthHostingExtensions
{
    /// <summary>The default scheme: forwards to the scheme of the credential the call carries.</summary>
    public const string SelectorScheme = "Restore";

    /// <param name="certificates">The client-certificate scheme is registered (mTLS with a CA bundle).</param>
    public static AuthOptions AddRestoreAuth(this WebApplicationBuilder builder, bool certificates)
    {
        builder.Services.AddRestoreOptions<AuthOptions>(builder.Configuration, AuthOptions.Section)
            .Validate(o => !o.JwtEnabled || !string.IsNullOrWhiteSpace(o.JwtAudience), $"{AuthOptions.Section}:JwtAudience is required with JwtIssuer");
        AuthOptions auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new();
        if (certificates)
        {
            builder.Services.PostConfigure<CertificateAuthenticationOptions>(CertificateAuthenticationDefaults.AuthenticationScheme, certificate =>
                certificate.Events = new CertificateAuthenticationEvents { OnCertificateValidated = CertificatePrincipal });
        }

        if (!auth.Enabled)
        {
            return auth;
        }

        AuthenticationBuilder schemes = builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = SelectorScheme;
                options.DefaultChallengeScheme = SelectorScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, _ => { })
            .AddPolicyScheme(SelectorScheme, "API key, bearer token or client certificate", selector =>
                selector.ForwardDefaultSelector = context => SchemeFor(context.Request, context.Connection, auth.JwtEnabled, certificates));
        if (auth.JwtEnabled)
        {
            List<SecurityKey> keys = JwtSigningKeys.Load(auth);
            schemes.AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.RequireHttpsMetadata = false; // nothing is fetched: issuer, audience and keys come from configuration
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.JwtIssuer,
                    ValidAudience = auth.JwtAudience,
                    IssuerSigningKeys = keys,
                    ValidateIssuerSigningKey = true,
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ClockSkew = TimeSpan.FromSeconds(auth.JwtClockSkewSeconds),
                };
                jwt.Events = new JwtBearerEvents { OnTokenValidated = context => TokenPrincipal(context, auth) };
            });
        }

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(RestorePolicies.User, policy => policy.RequireAuthenticatedUser().RequireClaim(RestoreClaimTypes.Tenant))
            .AddPolicy(RestorePolicies.Admin, policy => policy.RequireAuthenticatedUser().RequireClaim(RestoreClaimTypes.Tenant).RequireClaim(RestoreClaimTypes.Role, RestorePolicies.AdminRole));
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, GrpcAuthorizationResultHandler>();
        return auth;
    }

    /// <summary>Requires <paramref name="policy"/> on these endpoints when auth is on (and they are not configured
    /// anonymous); with auth off it does nothing.</summary>
    public static TBuilder RequireRestorePolicy<TBuilder>(this TBuilder endpoints, IServiceProvider services, string policy, bool allowAnonymous = false)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<IOptions<AuthOptions>>().Value.Enabled && !allowAnonymous
            ? endpoints.RequireAuthorization(policy)
            : endpoints;
    }

    /// <summary>An explicit credential wins over the connection's certificate: an API key, then a bearer token.</summary>
    private static string SchemeFor(HttpRequest request, ConnectionInfo connection, bool jwt, bool certificates)
    {
        if (request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header))
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }

        if (jwt && request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return JwtBearerDefaults.AuthenticationScheme;
        }

        return certificates && connection.ClientCertificate is not null
            ? CertificateAuthenticationDefaults.AuthenticationScheme
            : ApiKeyAuthenticationHandler.SchemeName; // no credential: no result, then UNAUTHENTICATED
    }

    /// <summary>A verified client certificate: tenant and roles from <see cref="AuthOptions.ClientCertificates"/>,
    /// else tenant = its subject CN.</summary>
    private static Task CertificatePrincipal(CertificateValidatedContext context)
    {
        string commonName = context.ClientCertificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        CertificateIdentity? mapped = context.HttpContext.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.ClientCertificates
            .FirstOrDefault(c => string.Equals(c.CommonName, commonName, StringComparison.Ordinal));
        ClaimsIdentity identity = RestoreIdentity.Create(
            CertificateAuthenticationDefaults.AuthenticationScheme,
            mapped?.Tenant ?? commonName,
            mapped?.Roles ?? [],
            "certificate:" + commonName);
        context.Principal = new ClaimsPrincipal(identity);
        context.Success();
        return Task.CompletedTask;
    }

    /// <summary>A valid token: tenant from <see cref="AuthOptions.TenantClaim"/>, roles from <see cref="AuthOptions.RoleClaim"/>.</summary>
    private static Task TokenPrincipal(TokenValidatedContext context, AuthOptions auth)
    {
        ClaimsPrincipal token = context.Principal!;
        string tenant = token.FindFirst(auth.TenantClaim)?.Value ?? string.Empty;
        IEnumerable<string> roles = token.FindAll(auth.RoleClaim).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        string subject = token.FindFirst("sub")?.Value ?? "?";
        context.Principal = new ClaimsPrincipal(RestoreIdentity.Create(JwtBearerDefaults.AuthenticationScheme, tenant, roles, "jwt:" + subject));
        return Task.CompletedTask;
    }
}
