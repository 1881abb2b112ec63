using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace RestoreGrpc.Client.Balancing;

/// <summary>
/// Client-side balancing over several server instances with gRPC's own balancer (no proxy, no home-made pool): a
/// <c>dns:///host:port</c> address (a Kubernetes headless Service: one A record per ready pod, re-resolved every
/// <see cref="RestoreClientOptions.DnsRefreshInterval"/> and whenever a connection fails) or a static list
/// (<see cref="RestoreClientOptions.Addresses"/>), picked round-robin. A subchannel whose connection fails is skipped
/// until it reconnects; an instance that drains refuses calls with UNAVAILABLE and its calls are retried on the others
/// by the channel's retry policy. grpc-dotnet has no client-side health checking (gRFC A17), so by default
/// (<see cref="RestoreClientOptions.HealthCheckService"/>) the channel uses <see cref="HealthCheckedRoundRobinBalancer"/>:
/// round-robin over the instances that report SERVING on <c>grpc.health.v1</c>.
/// </summary>
internal static class FleetChannel
{
    /// <summary>Rounds of the channel's retry policy a Restore gets on a balanced channel (see RestoreClient).</summary>
    public const int RestoreRounds = 3;

    /// <summary>The channel target of a static address list (the static resolver answers for it).</summary>
    public static readonly Uri StaticTarget = new("static:///restoregrpc");

    /// <summary>Whether the options ask for balancing: a DNS target or a static list.</summary>
    public static bool IsBalanced(RestoreClientOptions options) =>
        options.Addresses.Count > 0 || string.Equals(options.Address.Scheme, "dns", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the channel uses TLS: an https:// address, or for a balanced channel (a resolved target carries
    /// no scheme that says TLS) <see cref="RestoreClientOptions.UseTls"/> or an https:// entry in the list.</summary>
    public static bool UsesTls(RestoreClientOptions options) => IsBalanced(options)
        ? options.UseTls || options.Addresses.Any(a => a.Scheme == Uri.UriSchemeHttps)
        : options.Address.Scheme == Uri.UriSchemeHttps;

    /// <summary>What the channel connects to: the static target for a list, else the address itself.</summary>
    public static Uri TargetOf(RestoreClientOptions options) => options.Addresses.Count > 0 ? StaticTarget : options.Address;

    /// <summary>Adds the resolvers, round-robin and the transport security balancing needs to
    /// <paramref name="channel"/>; nothing for a single address.</summary>
    public static void Configure(GrpcChannelOptions channel, ServiceConfig serviceConfig, RestoreClientOptions options)
    {
        if (!IsBalanced(options))
        {
            return;
        }

        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new DnsResolverFactory(options.DnsRefreshInterval));
        if (options.Addresses.Count > 0)
        {
            BalancerAddress[] addresses = [.. options.Addresses.Select(a => new BalancerAddress(a.Host, a.Port))];
            services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => addresses));
        }

        bool tls = UsesTls(options);
        // ChannelSecurity has set credentials already when there are call credentials (with the same TLS decision).
        channel.Credentials ??= tls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        if (options.HealthCheckService is { } healthService)
        {
            services.AddSingleton<LoadBalancerFactory>(new HealthCheckedRoundRobinFactory(new HealthChannelSettings(healthService, channel, tls)));
            serviceConfig.LoadBalancingConfigs.Add(new LoadBalancingConfig(HealthCheckedRoundRobinFactory.PolicyName));
        }
        else
        {
            serviceConfig.LoadBalancingConfigs.Add(new RoundRobinConfig());
        }

        channel.ServiceProvider = services.BuildServiceProvider();
    }
}
