using System.Collections.Concurrent;
using Grpc.Core;
using RestoreGrpc.Client;

namespace RestoreGrpc.IntegrationTests.Fleet;

/// <summary>
/// Unary Restore calls in a loop on a few tasks until stopped, each result compared with the uninterrupted one:
/// what a fleet test keeps running while instances fail.
/// </summary>
internal sealed class UnaryLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Task[] _workers;
    private int _completed;
    private int _mismatched;

    public UnaryLoad(RestoreClient client, byte[] image, RestoreOptions options, byte[] expected, int workers, CancellationToken cancellationToken)
    {
        _workers = [.. Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    RestoreResult result = await client.RestoreAsync(image, options, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref result.Image.Span.SequenceEqual(expected) ? ref _completed : ref _mismatched);
                }
                catch (RpcException e)
                {
                    _failures.Enqueue(e.Status.ToString());
                }
            }
        }, cancellationToken))];
    }

    /// <summary>Calls answered with the expected image so far.</summary>
    public int Completed => Volatile.Read(ref _completed);

    /// <summary>Calls answered with another image.</summary>
    public int Mismatched => Volatile.Read(ref _mismatched);

    /// <summary>Every failed call's status.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>Lets the calls in flight finish and starts no more.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
