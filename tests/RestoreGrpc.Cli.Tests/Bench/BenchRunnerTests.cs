using Grpc.Core;
using RestoreGrpc.Cli.Bench;

namespace RestoreGrpc.Cli.Tests.Bench;

public sealed class BenchRunnerTests
{
    [Fact]
    public async Task Sends_warmup_plus_requests_with_at_most_concurrency_in_flight()
    {
        int calls = 0;
        int inFlight = 0;
        int maxInFlight = 0;
        int completed = 0;

        async Task<InputSize> SendAsync(CancellationToken ct)
        {
            Interlocked.Increment(ref calls);
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await Task.Delay(5, ct);
            Interlocked.Decrement(ref inFlight);
            return new InputSize(200, 100);
        }

        BenchOutcome outcome = await BenchRunner.RunAsync(
            new BenchPlan(Requests: 30, Concurrency: 4, Warmup: 2),
            SendAsync,
            () => Interlocked.Increment(ref completed),
            TestContext.Current.CancellationToken);

        Assert.Equal(32, calls);
        Assert.Equal(30, completed);
        Assert.InRange(maxInFlight, 1, 4);
        Assert.Equal(30, outcome.Succeeded);
        Assert.Equal(0, outcome.Failed);
        Assert.Equal(30, outcome.Latency.Count);
        Assert.True(outcome.Latency.Min > 0);
        Assert.Equal(new InputSize(200, 100), outcome.InputSize);
        Assert.Equal(outcome.ImagesPerSecond * 0.02, outcome.MegapixelsPerSecond, 9);
    }

    [Fact]
    public async Task Rpc_failures_are_counted_and_grouped_not_thrown()
    {
        int call = 0;

        Task<InputSize> SendAsync(CancellationToken ct)
        {
            int n = Interlocked.Increment(ref call);
            return n % 3 == 0
                ? Task.FromException<InputSize>(new RpcException(new Status(StatusCode.ResourceExhausted, "queue full")))
                : Task.FromResult(new InputSize(10, 10));
        }

        BenchOutcome outcome = await BenchRunner.RunAsync(
            new BenchPlan(Requests: 9, Concurrency: 1, Warmup: 0),
            SendAsync,
            null,
            TestContext.Current.CancellationToken);

        Assert.Equal(6, outcome.Succeeded);
        Assert.Equal(3, outcome.Failed);
        Assert.Equal(6, outcome.Latency.Count);
        Assert.Equal(3, Assert.Single(outcome.Errors, e => e.Key.Contains("queue full", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public async Task Warmup_failure_aborts_the_run()
    {
        static Task<InputSize> SendAsync(CancellationToken ct) =>
            Task.FromException<InputSize>(new RpcException(new Status(StatusCode.NotFound, "no such model")));

        await Assert.ThrowsAsync<RpcException>(() => BenchRunner.RunAsync(
            new BenchPlan(Requests: 5, Concurrency: 2, Warmup: 1),
            SendAsync,
            null,
            TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Concurrency_above_requests_starts_no_idle_workers()
    {
        int calls = 0;

        BenchOutcome outcome = await BenchRunner.RunAsync(
            new BenchPlan(Requests: 2, Concurrency: 16, Warmup: 0),
            _ =>
            {
                Interlocked.Increment(ref calls);
                return Task.FromResult(default(InputSize));
            },
            null,
            TestContext.Current.CancellationToken);

        Assert.Equal(2, calls);
        Assert.Equal(2, outcome.Succeeded);
        Assert.Equal(0, outcome.MegapixelsPerSecond);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
