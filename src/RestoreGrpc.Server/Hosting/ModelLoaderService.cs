using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// Downloads, loads and warms up the catalog in the background after start-up, and says once, plainly, where it
/// looked for model files and what it found.
/// </summary>
internal sealed partial class ModelLoaderService(ModelCatalog catalog, ILogger<ModelLoaderService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogCatalog(logger, catalog.Directory, catalog.DefaultModelName);
        if (!catalog.HasRealModels)
        {
            if (IsDefaultDirectory(catalog.ConfiguredDirectory))
            {
                LogNoModels(logger, catalog.Directory);
            }
            else
            {
                LogNoModelsInConfiguredDirectory(logger, catalog.ConfiguredDirectory, catalog.Directory, catalog.BaseDirectory);
            }
        }

        List<ModelStatus> missing = catalog.List().Where(m => m.State == ModelState.Missing).ToList();
        if (missing.Count > 0 && catalog.HasRealModels)
        {
            string files = string.Join(", ", missing.Select(m => Path.GetFileName(m.Descriptor.File)));
            LogMissingFiles(logger, missing.Count, catalog.Directory, files);
        }

        if (catalog.List().FirstOrDefault(m => m.IsDefault) is { State: ModelState.Pending or ModelState.Downloading or ModelState.Loading } warming)
        {
            LogWarming(logger, warming.Descriptor.Name);
        }

        await catalog.LoadAllAsync(stoppingToken).ConfigureAwait(false);
        foreach (ModelStatus status in catalog.List().Where(m => m.State is not (ModelState.Missing or ModelState.Ready or ModelState.Failed)))
        {
            LogModelState(logger, status.Descriptor.Name, status.State, status.Detail);
        }
    }

    private static bool IsDefaultDirectory(string configured) =>
        string.Equals(configured.TrimEnd('/', Path.DirectorySeparatorChar), new ModelCatalogOptions().Directory, StringComparison.Ordinal);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Model folder {Directory}; default model {DefaultModel}")]
    private static partial void LogCatalog(ILogger logger, string directory, string defaultModel);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "No model files in {Directory}: serving the built-in Lanczos resampler only. Get real models with scripts/fetch-models.sh (README, 'Production models'), or point Restore:Models:Directory at a folder that has them")]
    private static partial void LogNoModels(ILogger logger, string directory);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning,
        Message = "Restore:Models:Directory is {Configured}, searched as {Directory} (a relative path counts from {StartDirectory}, where the server was started): no super-resolution model file of the catalog is there, so only the built-in Lanczos resampler is served")]
    private static partial void LogNoModelsInConfiguredDirectory(ILogger logger, string configured, string directory, string startDirectory);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "{Count} catalog models have no file in {Directory} and are not served: {Files}")]
    private static partial void LogMissingFiles(ILogger logger, int count, string directory, string files);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information,
        Message = "Default model {Model} is loading and warming up; health reports NOT_SERVING until it is ready")]
    private static partial void LogWarming(ILogger logger, string model);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Model {Model}: {State} {Detail}")]
    private static partial void LogModelState(ILogger logger, string model, ModelState state, string detail);
}
