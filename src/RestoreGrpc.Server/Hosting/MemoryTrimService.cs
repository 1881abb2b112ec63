using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Memory;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Runs <see cref="MemoryTrim"/> once after each load, when no request has been in flight for
/// <see cref="RequestMemoryOptions.IdleTrimSeconds"/>.</summary>
internal sealed partial class MemoryTrimService(MemoryBudget budget, IOptions<RequestMemoryOptions> options, ILogger<MemoryTrimService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromSeconds(options.Value.IdleTrimSeconds);
        if (idle <= TimeSpan.Zero)
        {
            return;
        }

        long trimmedAt = budget.Admissions;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Min(1, idle.TotalSeconds)));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            long admissions = budget.Admissions;
            if (admissions != trimmedAt && budget.IdleFor >= idle)
            {
                trimmedAt = admissions;
                long before = GC.GetTotalMemory(forceFullCollection: false);
                long after = MemoryTrim.Run();
                LogTrimmed(logger, before >> 20, after >> 20, Environment.WorkingSet >> 20);
            }
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Idle: trimmed pools and compacted, managed heap {BeforeMiB} -> {AfterMiB} MiB, working set {WorkingSetMiB} MiB")]
    private static partial void LogTrimmed(ILogger logger, long beforeMiB, long afterMiB, long workingSetMiB);
}
