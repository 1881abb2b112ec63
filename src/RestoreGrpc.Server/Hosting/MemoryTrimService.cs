using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Memory;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// After each load, once no request has been in flight for <see cref="RequestMemoryOptions.IdleTrimSeconds"/>, runs
/// <see cref="MemoryTrim"/> after dropping the free blocks of Kestrel's connection pools
/// (<see cref="TrimmableMemoryPoolFactory"/>), and again after each further such spell for a minute or so: some pools
/// let go of their buffers only after a delay of their own (the shared array pool drops arrays unused for a minute),
/// and what they drop is only returned by the next collection, which an idle server would not run. At start it fixes
/// glibc's mmap threshold (<see cref="RequestMemoryOptions.NativeMmapThresholdKilobytes"/>), so that a busy server,
/// which never trims, does not keep its freed large native buffers.
/// </summary>
internal sealed partial class MemoryTrimService(
    MemoryBudget budget, TrimmableMemoryPoolFactory connectionPools, IOptions<RequestMemoryOptions> options, ILogger<MemoryTrimService> logger) : BackgroundService
{
    private static readonly TimeSpan TrimFor = TimeSpan.FromSeconds(70);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        TuneNativeHeap(options.Value.NativeMmapThresholdKilobytes);
        var idle = TimeSpan.FromSeconds(options.Value.IdleTrimSeconds);
        if (idle <= TimeSpan.Zero)
        {
            return;
        }

        long seen = budget.Admissions;
        TimeSpan nextTrim = TimeSpan.MaxValue;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Min(1, idle.TotalSeconds)));
        while (await NextTickAsync(timer, stoppingToken).ConfigureAwait(false))
        {
            if (budget.Admissions != seen)
            {
                seen = budget.Admissions;
                nextTrim = idle;
            }

            TimeSpan idleFor = budget.IdleFor;
            if (idleFor < idle)
            {
                nextTrim = idle; // busy again: start over once it is quiet
            }
            else if (idleFor >= nextTrim)
            {
                Trim();
                nextTrim = idleFor + idle > TrimFor + idle ? TimeSpan.MaxValue : idleFor + idle;
            }
        }
    }

    /// <summary>Fixes glibc's mmap threshold (<see cref="NativeHeapTuning"/>) unless the environment sets it.</summary>
    private void TuneNativeHeap(int kilobytes)
    {
        if (kilobytes > 0 && Environment.GetEnvironmentVariable(NativeHeapTuning.ThresholdVariable) is null && NativeHeapTuning.SetMmapThreshold(kilobytes * 1024))
        {
            LogMmapThreshold(logger, kilobytes);
        }
    }

    /// <summary>The next tick, or false once the host stops: a host disposed without being stopped first cancels the
    /// token from its disposal, which is an end, not a failure.</summary>
    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Trim()
    {
        long before = GC.GetTotalMemory(forceFullCollection: false);
        long connectionBlocks = connectionPools.Trim();
        long after = MemoryTrim.Run();
        if (logger.IsEnabled(LogLevel.Debug))
        {
            long committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
            long workingSet = Environment.WorkingSet;
            LogTrimmed(logger, connectionBlocks >> 20, before >> 20, after >> 20, committed >> 20, workingSet >> 20, ThreadPool.ThreadCount);
        }
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Debug, Message = "Idle: trimmed pools ({ConnectionBlocksMiB} MiB of Kestrel blocks) and compacted, managed heap {BeforeMiB} -> {AfterMiB} MiB ({CommittedMiB} MiB committed), working set {WorkingSetMiB} MiB, {Threads} pool threads")]
    private static partial void LogTrimmed(ILogger logger, long connectionBlocksMiB, long beforeMiB, long afterMiB, long committedMiB, long workingSetMiB, int threads);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Debug, Message = "Native heap: allocations of {Kilobytes} KiB and more are mapped on their own (glibc mmap threshold fixed)")]
    private static partial void LogMmapThreshold(ILogger logger, int kilobytes);
}
