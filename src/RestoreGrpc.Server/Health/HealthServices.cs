namespace RestoreGrpc.Server.Health;

/// <summary>
/// The grpc.health.v1 service names the server answers, for Kubernetes' gRPC probes and load balancers:
/// <see cref="Liveness"/> (the empty name) is SERVING while the process serves at all, so a model that is still
/// downloading or warming up never gets the pod restarted; <see cref="Readiness"/> is SERVING once the default model
/// is loaded and warmed up, so traffic waits for it; <see cref="ModelPrefix"/> + a model's name (e.g.
/// <c>restoregrpc.v1.model.realesr-general-x4v3</c>) is SERVING while a loaded session of that model takes requests.
/// </summary>
public static class HealthServices
{
    /// <summary>The empty service name: the server as a whole is up (liveness).</summary>
    public const string Liveness = "";

    /// <summary>The restoration service can serve requests without waiting (readiness).</summary>
    public const string Readiness = "restoregrpc.v1.RestoreService";

    /// <summary>Per-model readiness: this prefix and a catalog name (<see cref="ModelHealthInterceptor"/>).</summary>
    public const string ModelPrefix = "restoregrpc.v1.model.";

    /// <summary>Tag of the health checks readiness waits for.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Tag of the liveness check (the process answers).</summary>
    public const string LiveTag = "live";
}
