using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Downloads, loads and warms up the catalog in the background after start-up.</summary>
internal sealed partial class ModelLoaderService(ModelCatalog catalog, ILogger<ModelLoaderService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogCatalog(logger, catalog.Directory, catalog.DefaultModelName);
        if (!catalog.HasRealModels)
        {
            LogNoModels(logger, catalog.Directory);
        }

        await catalog.LoadAllAsync(stoppingToken).ConfigureAwait(false);
        foreach (ModelStatus status in catalog.List())
        {
            LogModelState(logger, status.Descriptor.Name, status.State, status.Detail);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Model folder {Directory}; default model {DefaultModel}")]
    private static partial void LogCatalog(ILogger logger, string directory, string defaultModel);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "No super-resolution model files in {Directory}: serving the built-in Lanczos resampler only. Get real models with scripts/fetch-models.sh (see README, 'Production models') or set Restore:Models:Directory")]
    private static partial void LogNoModels(ILogger logger, string directory);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Model {Model}: {State} {Detail}")]
    private static partial void LogModelState(ILogger logger, string model, ModelState state, string detail);
}
