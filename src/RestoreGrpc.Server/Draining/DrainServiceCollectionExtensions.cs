using Microsoft.Extensions.Options;
using RestoreGrpc.Server.Hosting;

namespace RestoreGrpc.Server.Draining;

/// <summary>Registers the shutdown drain: its state, the hosted service that runs it, and a host shutdown timeout
/// long enough for it (<see cref="RestoreServerOptions.DrainSeconds"/> plus the time streams get to end).</summary>
public static class DrainServiceCollectionExtensions
{
    public static IServiceCollection AddRestoreDrain(this IServiceCollection services)
    {
        services.AddSingleton<ServerDrain>();
        services.AddSingleton<DrainInterceptor>();
        services.AddHostedService<DrainService>();
        services.AddOptions<HostOptions>().Configure<IOptions<RestoreServerOptions>>((host, server) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(server.Value.DrainSeconds) + DrainService.EndingTime + TimeSpan.FromSeconds(5));
        return services;
    }
}
