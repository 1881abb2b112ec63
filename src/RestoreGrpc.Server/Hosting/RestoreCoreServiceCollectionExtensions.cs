using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Registers the restoration core with options bound from configuration.</summary>
public static class RestoreCoreServiceCollectionExtensions
{
    public const string ModelsSection = "Restore:Models";
    public const string LimitsSection = "Restore:Limits";
    public const string EncodingSection = "Restore:Encoding";

    public static IServiceCollection AddRestoreCore(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.Configure<ModelCatalogOptions>(configuration.GetSection(ModelsSection));
        services.PostConfigure<ModelCatalogOptions>(options =>
            options.BatcherMaxBatch = (configuration.GetSection(BatchingOptions.Section).Get<BatchingOptions>() ?? new()).ToBatcherOptions().MaxBatch);
        services.Configure<ImageLimits>(configuration.GetSection(LimitsSection));
        services.Configure<EncodingOptions>(configuration.GetSection(EncodingSection));
        services.Configure<RestoreServerOptions>(configuration.GetSection(RestoreServerOptions.Section));
        services.AddHttpClient(nameof(ModelCatalog), http => http.Timeout = TimeSpan.FromMinutes(30));

        services.AddSingleton(provider => new ModelCatalog(
            provider.GetRequiredService<IOptions<ModelCatalogOptions>>().Value,
            contentRoot,
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(ModelCatalog)),
            provider.GetRequiredService<ILogger<ModelCatalog>>()));
        services.AddSingleton(provider =>
        {
            int configured = provider.GetRequiredService<IOptions<RestoreServerOptions>>().Value.ConcurrentRuns;
            return new InferenceGate(configured > 0 ? configured : provider.GetRequiredService<ModelCatalog>().DefaultConcurrentRuns());
        });
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<ImageLimits>>().Value);
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<EncodingOptions>>().Value);
        services.AddSingleton(provider => new DynamicBatcher(
            provider.GetRequiredService<InferenceGate>(),
            (configuration.GetSection(BatchingOptions.Section).Get<BatchingOptions>() ?? new()).ToBatcherOptions()));
        services.AddSingleton<RestorationPipeline>();
        services.AddRestoreStreaming(configuration);
        return services;
    }
}
