using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// Re-reads the model catalog when its configuration changes (appsettings.json is read with reloadOnChange, so
/// editing <c>Restore:Models:Entries</c> or <c>Restore:Models:DefaultModel</c> reaches the running server): added
/// entries are loaded, removed ones unloaded, changed ones reloaded (<see cref="ModelCatalog.ApplyConfigurationAsync"/>).
/// Changes are applied one at a time, each against the newest configuration. A configuration that does not validate
/// is logged and ignored; the catalog keeps what it has.
/// </summary>
internal sealed partial class CatalogConfigurationWatcher(
    ModelCatalog catalog,
    IOptionsMonitor<ModelCatalogOptions> monitor,
    ILogger<CatalogConfigurationWatcher> logger) : BackgroundService
{
    private readonly SemaphoreSlim _changed = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using IDisposable? subscription = monitor.OnChange(_ => _changed.Release());
        while (!stoppingToken.IsCancellationRequested)
        {
            await _changed.WaitAsync(stoppingToken).ConfigureAwait(false);
            // One file save raises several change events: apply the newest configuration once.
            while (_changed.CurrentCount > 0)
            {
                await _changed.WaitAsync(stoppingToken).ConfigureAwait(false);
            }

            try
            {
                await catalog.ApplyConfigurationAsync(monitor.CurrentValue, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OptionsValidationException or ArgumentException)
            {
                LogRejected(logger, e.Message);
            }
        }
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "The changed model catalog configuration was not applied: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);
}
