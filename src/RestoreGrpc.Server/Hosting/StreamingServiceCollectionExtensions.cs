using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Streaming;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Registers tile streaming (section <c>Restore:Streaming</c>).</summary>
public static class StreamingServiceCollectionExtensions
{
    public const string StreamingSection = "Restore:Streaming";

    public static IServiceCollection AddRestoreStreaming(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRestoreOptions<StreamingOptions>(configuration, StreamingSection);
        services.AddSingleton(provider => new StreamingJobRegistry(
            provider.GetRequiredService<IOptions<StreamingOptions>>().Value,
            provider.GetService<TimeProvider>()));
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<StreamingRestorer>(
            provider,
            provider.GetRequiredService<IOptions<ImageLimits>>().Value,
            provider.GetRequiredService<IOptions<StreamingOptions>>().Value));
        return services;
    }
}
