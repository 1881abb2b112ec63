using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Memory;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Registers the request memory budget, Kestrel's trimmable memory pools and the idle trim.</summary>
public static class RequestMemoryServiceCollectionExtensions
{
    public static IServiceCollection AddRestoreMemory(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRestoreOptions<RequestMemoryOptions>(configuration, RequestMemoryOptions.Section);
        services.AddSingleton(provider =>
        {
            RequestMemoryOptions options = provider.GetRequiredService<IOptions<RequestMemoryOptions>>().Value;
            return new MemoryBudget(
                options.CapacityBytes(),
                TimeSpan.FromMilliseconds(options.MaxInFlightWaitMilliseconds),
                TimeSpan.FromMilliseconds(options.RetryAfterMilliseconds),
                provider.GetService<TimeProvider>());
        });
        // Kestrel takes its connection memory pools from this factory (registered after Kestrel's own, so it wins).
        services.AddSingleton<TrimmableMemoryPoolFactory>();
        services.AddSingleton<IMemoryPoolFactory<byte>>(provider => provider.GetRequiredService<TrimmableMemoryPoolFactory>());
        services.AddHostedService<MemoryTrimService>();
        return services;
    }
}
