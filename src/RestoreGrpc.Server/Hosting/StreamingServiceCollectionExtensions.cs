using RestoreGrpc.Core.Streaming;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Registers tile streaming (section <c>Restore:Streaming</c>).</summary>
public static class StreamingServiceCollectionExtensions
{
    public const string StreamingSection = "Restore:Streaming";

    public static IServiceCollection AddRestoreStreaming(this IServiceCollection services, IConfiguration configuration)
    {
        StreamingOptions options = configuration.GetSection(StreamingSection).Get<StreamingOptions>() ?? new();
        services.AddSingleton(options);
        services.AddSingleton(provider => new StreamingJobRegistry(options, provider.GetService<TimeProvider>()));
        services.AddSingleton<StreamingRestorer>();
        return services;
    }
}
