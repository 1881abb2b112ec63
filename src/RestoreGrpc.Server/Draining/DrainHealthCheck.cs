using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RestoreGrpc.Server.Draining;

/// <summary>Unhealthy once the drain has begun: liveness and readiness both report NOT_SERVING, so load balancers and
/// health-aware clients stop sending before the server stops listening.</summary>
internal sealed class DrainHealthCheck(ServerDrain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drain.IsDraining ? HealthCheckResult.Unhealthy("draining: the server is shutting down") : HealthCheckResult.Healthy("not draining"));
}
