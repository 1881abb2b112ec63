using Grpc.Net.Client.Balancer;

namespace RestoreGrpc.Client.Balancing;

/// <summary>
/// Registers <see cref="HealthCheckedRoundRobinBalancer"/> in the channel's service provider under
/// <see cref="PolicyName"/>, the name the service config's loadBalancingConfig asks for.
/// </summary>
internal sealed class HealthCheckedRoundRobinFactory(HealthChannelSettings settings) : LoadBalancerFactory
{
    public const string PolicyName = "restoregrpc_health_checked_round_robin";

    public override string Name => PolicyName;

    public override LoadBalancer Create(LoadBalancerOptions options) =>
        new HealthCheckedRoundRobinBalancer(options.Controller, options.LoggerFactory, settings);
}
