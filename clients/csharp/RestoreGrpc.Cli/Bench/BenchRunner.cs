using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Bench;

/// <summary>What a benchmark run measured.</summary>
internal sealed record BenchOutcome(
    int Succeeded,
    int Failed,
    TimeSpan Elapsed,
    InputSize InputSize,
    LatencyStats Latency,
    IReadOnlyDictionary<string, int> Errors)
{
    public double ImagesPerSecond => Elapsed > TimeSpan.Zero ? Succeeded / Elapsed.TotalSeconds : 0;

    public double MegapixelsPerSecond => ImagesPerSecond * InputSize.Megapixels;
}

/// <summary>
/// Sends a fixed number of requests with a fixed number in flight. The request itself is a delegate, so the
/// scheduling and accounting are testable without a server. A failed request is one that throws
/// <see cref="RpcException"/>; warm-up failures are not tolerated (they propagate).
/// </summary>
internal static class BenchRunner
{
    public static async Task<BenchOutcome> RunAsync(
        BenchPlan plan,
        Func<CancellationToken, Task<InputSize>> send,
        Action? onCompleted,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(send);
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.Requests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.Concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(plan.Warmup);

        InputSize size = default;
        for (int i = 0; i < plan.Warmup; i++)
        {
            InputSize warm = await send(cancellationToken).ConfigureAwait(false);
            if (size.Width == 0)
            {
                size = warm;
            }
        }

        var latencies = new ConcurrentBag<double>();
        var errors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var sizes = new ConcurrentQueue<InputSize>();
        int next = -1;
        int failed = 0;

        async Task WorkerAsync()
        {
            while (Interlocked.Increment(ref next) < plan.Requests)
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    InputSize reported = await send(cancellationToken).ConfigureAwait(false);
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (reported.Width != 0 && sizes.IsEmpty)
                    {
                        sizes.Enqueue(reported);
                    }
                }
                catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    errors.AddOrUpdate(ex.Describe(), 1, (_, count) => count + 1);
                }

                onCompleted?.Invoke();
            }
        }

        long begin = Stopwatch.GetTimestamp();
        Task[] workers = Enumerable.Range(0, Math.Min(plan.Concurrency, plan.Requests))
            .Select(_ => Task.Run(WorkerAsync, cancellationToken))
            .ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(begin);

        if (size.Width == 0 && sizes.TryPeek(out InputSize measured))
        {
            size = measured;
        }

        return new BenchOutcome(
            latencies.Count,
            failed,
            elapsed,
            size,
            LatencyStats.Compute(latencies),
            new Dictionary<string, int>(errors, StringComparer.Ordinal));
    }
}
