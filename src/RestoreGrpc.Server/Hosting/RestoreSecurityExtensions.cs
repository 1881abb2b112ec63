using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using RestoreGrpc.Server.Quotas;
using RestoreGrpc.Server.Security;
using RestoreGrpc.Server.Services;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// The server's defences in one place: Kestrel's limits (<see cref="KestrelLimitsOptions"/>), authentication and
/// authorization (<see cref="AuthHostingExtensions"/>) (left to gRPC's message limits where gRPC enforces them), call timeouts and plan
/// caps (<see cref="CallLimitsOptions"/>). <c>Program</c> adds them with <see cref="AddRestoreSecurity"/> and
/// <see cref="UseRestoreSecurity"/>.
/// </summary>
public static class RestoreSecurityExtensions
{
    public static WebApplicationBuilder AddRestoreSecurity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRestoreOptions<CallLimitsOptions>(builder.Configuration, CallLimitsOptions.Section);
        builder.Services.AddSingleton<RequestPlanGuard>();
        builder.Services.AddRestoreOptions<QuotaOptions>(builder.Configuration, QuotaOptions.Section);
        builder.Services.AddSingleton<TenantQuotas>();
        builder.Services.AddSingleton<CallerTenant>();
        bool certificates = builder.AddRestoreTls();
        AuthOptions auth = builder.AddRestoreAuth(certificates);
        builder.Services.AddSingleton(new SecurityState(certificates || auth.Enabled, auth.Enabled));
        builder.Services.AddRestoreOptions<KestrelLimitsOptions>(builder.Configuration, KestrelLimitsOptions.Section);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<KestrelLimitsOptions>>((kestrel, configured) =>
        {
            KestrelLimitsOptions limits = configured.Value;
            kestrel.Limits.Http2.MaxStreamsPerConnection = limits.MaxStreamsPerConnection;
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalBytes;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = limits.MaxRequestHeaderFieldBytes;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds);
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
            kestrel.Limits.MinRequestBodyDataRate = limits.MinRequestBodyBytesPerSecond > 0
                ? new MinDataRate(limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(limits.MinRequestBodyGraceSeconds))
                : null;
            kestrel.Limits.MaxConcurrentConnections = limits.MaxConnections > 0 ? limits.MaxConnections : null;
        });

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // No body limit of Kestrel's own: its default (30,000,000 bytes) refused unary requests that gRPC accepts
            // (up to Restore:Server:MaxReceiveMessageBytes) as UNKNOWN, before any handler or metric saw them, and any
            // limit of its own answers a declared Content-Length over it the same way. gRPC reads each message's
            // 5-byte length prefix and refuses one over MaxReceiveMessageBytes with RESOURCE_EXHAUSTED before
            // buffering it; the server's other endpoints (GET /, /metrics) never read a body.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        return builder;
    }

    public static WebApplication UseRestoreSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<SecurityState>().Authentication)
        {
            app.UseAuthentication();
        }

        if (app.Services.GetRequiredService<SecurityState>().Authorization)
        {
            app.UseAuthorization();
        }

        // After authorization: its refusals complete their responses themselves, and only endpoints come after.
        app.UseResponseDrainLimit();
        return app;
    }
}
