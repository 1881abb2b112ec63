using Microsoft.Extensions.Diagnostics.HealthChecks;
using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Server.Health;

/// <summary>Serving once the default model is ready (or a session of it serves); not serving while it loads or if it failed.</summary>
internal sealed class ModelCatalogHealthCheck(ModelCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ModelStatus? model = catalog.List().FirstOrDefault(m => m.IsDefault);
        return Task.FromResult(model switch
        {
            null => HealthCheckResult.Unhealthy("no default model"),
            { State: ModelState.Ready } => HealthCheckResult.Healthy($"default model {model.Descriptor.Name} ready"),
            // A failed reload leaves the previous session serving.
            { Serving: true } => HealthCheckResult.Healthy($"default model {model.Descriptor.Name} serving ({model.State}: {model.Detail})"),
            _ => HealthCheckResult.Unhealthy($"default model {model.Descriptor.Name} is {model.State}: {model.Detail}"),
        });
    }
}
