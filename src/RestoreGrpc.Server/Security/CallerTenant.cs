using Grpc.Core;
using Microsoft.Extensions.Options;

namespace RestoreGrpc.Server.Security;

/// <summary>Whose call it is, for scheduling, quotas, stream ownership and telemetry: the authenticated principal's
/// tenant (an API key's, a token's claim, a client certificate's); with <c>Restore:Auth</c> off and no certificate, the
/// self-declared <see cref="Header"/> (anyone may claim any name: fair scheduling only, never a security boundary).</summary>
internal sealed class CallerTenant(IOptions<AuthOptions> auth)
{
    /// <summary>Call metadata naming the client or tenant, honoured only while authentication is off.</summary>
    public const string Header = "x-restore-tenant";

    public string Of(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? principal = context.GetHttpContext().User.FindFirst(RestoreClaimTypes.Tenant)?.Value;
        if (!string.IsNullOrEmpty(principal) || auth.Value.Enabled)
        {
            return principal ?? string.Empty; // with auth on, the policy has already required a tenant
        }

        return context.RequestHeaders.GetValue(Header) ?? string.Empty;
    }
}
