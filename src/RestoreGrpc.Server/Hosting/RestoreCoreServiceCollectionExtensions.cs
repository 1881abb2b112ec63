using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Registers the restoration core with options bound from configuration.</summary>
/// <remarks>
/// Every options class is bound once with <see cref="OptionsRegistration.AddRestoreOptions{TOptions}"/> (validated at
/// start-up, the failing key named) and read here through <see cref="IOptions{TOptions}"/>: the core's types take
/// plain settings objects, and this composition root is the only place that unwraps them.
/// </remarks>
public static class RestoreCoreServiceCollectionExtensions
{
    public const string ModelsSection = "Restore:Models";
    public const string LimitsSection = "Restore:Limits";
    public const string EncodingSection = "Restore:Encoding";

    public static IServiceCollection AddRestoreCore(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddRestoreOptions<ModelCatalogOptions>(configuration, ModelsSection)
            .PostConfigure<IOptions<BatchingOptions>>((options, batching) => options.BatcherMaxBatch = batching.Value.MaxBatch);
        services.AddRestoreOptions<BatchingOptions>(configuration, BatchingOptions.Section);
        services.AddRestoreOptions<ImageLimits>(configuration, LimitsSection);
        services.AddRestoreOptions<EncodingOptions>(configuration, EncodingSection);
        services.AddRestoreOptions<RestoreServerOptions>(configuration, RestoreServerOptions.Section);
        services.AddHttpClient(nameof(ModelCatalog), http => http.Timeout = TimeSpan.FromMinutes(30));

        services.AddSingleton(provider => new ModelCatalog(
            provider.GetRequiredService<IOptions<ModelCatalogOptions>>().Value,
            contentRoot,
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(ModelCatalog)),
            provider.GetRequiredService<ILogger<ModelCatalog>>()));
        services.AddSingleton(provider =>
        {
            // 0 is documented as "one run per model session", not a clamp.
            int configured = provider.GetRequiredService<IOptions<RestoreServerOptions>>().Value.ConcurrentRuns;
            return new InferenceGate(configured > 0 ? configured : provider.GetRequiredService<ModelCatalog>().DefaultConcurrentRuns());
        });
        services.AddSingleton(provider => new DynamicBatcher(
            provider.GetRequiredService<InferenceGate>(),
            provider.GetRequiredService<IOptions<BatchingOptions>>().Value.ToBatcherOptions()));
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<RestorationPipeline>(
            provider,
            provider.GetRequiredService<IOptions<ImageLimits>>().Value,
            provider.GetRequiredService<IOptions<EncodingOptions>>().Value));
        services.AddRestoreStreaming(configuration);
        return services;
    }
}
