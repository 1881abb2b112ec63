using System.Diagnostics;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using RestoreGrpc.Contracts.Telemetry;
using RestoreGrpc.Server.Telemetry;

namespace RestoreGrpc.Server.Security;

/// <summary>
/// Answers a refused gRPC call with a real gRPC status (a trailers-only response) instead of a bare HTTP 401/403:
/// UNAUTHENTICATED when no valid credential came, PERMISSION_DENIED when the principal lacks the policy. Clients map a
/// bare 401/403 to the same codes, but with "Bad gRPC response" as the message. The messages are the same whatever
/// was wrong with a credential (unknown, revoked, expired, badly signed): they never hint which keys exist.
/// A refusal is counted and timed in the RPC metrics like a served call (<see cref="ServerMetrics.CallRefused"/>,
/// with its <c>rpc.status_code</c>, also on the span), as the telemetry interceptor never sees a call refused here.
/// Other requests get ASP.NET Core's default handling.
/// </summary>
internal sealed class GrpcAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    public const string UnauthenticatedMessage = "authentication required: send a valid API key (x-api-key) or bearer token (authorization: Bearer), or a client certificate";
    public const string PermissionDeniedMessage = "the caller is not allowed to call this method";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        bool grpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
        if (!grpc || authorizeResult.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            return;
        }

        (StatusCode code, string message) = authorizeResult.Forbidden
            ? (StatusCode.PermissionDenied, PermissionDeniedMessage)
            : (StatusCode.Unauthenticated, UnauthenticatedMessage);
        Activity? span = context.Features.Get<IHttpActivityFeature>()?.Activity;
        TimeSpan elapsed = span is null ? TimeSpan.Zero : DateTime.UtcNow - span.StartTimeUtc;
        ServerMetrics.CallRefused(RpcConventions.MethodName(context.Request.Path.Value ?? string.Empty), code, elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed);
        span?.SetTag(RpcConventions.Status, RpcConventions.StatusName(code));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = context.Request.ContentType;
        context.Response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        await context.Response.CompleteAsync().ConfigureAwait(false);
    }
}
