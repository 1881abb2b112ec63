namespace RestoreGrpc.Server.Services;

/// <summary>
/// The idle timeout of one stream: it runs only while the server waits for the client (no tile in flight on the
/// server) and restarts at every client message; <see cref="Expired"/> is cancelled when it runs out. A client
/// waiting for its tiles to come back is never idle, however long inference takes.
/// </summary>
internal sealed class StreamIdleWatch : IDisposable
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _expired = new();
    private readonly ITimer? _timer;
    private readonly TimeSpan _idle;
    private int _inFlight;

    public StreamIdleWatch(TimeSpan? idle, TimeProvider time)
    {
        if (idle is { } after)
        {
            _idle = after;
            _timer = time.CreateTimer(static state => ((StreamIdleWatch)state!).Expire(), this, after, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Cancelled when the client stayed silent for the whole idle timeout while the server waited.</summary>
    public CancellationToken Expired => _expired.Token;

    public bool HasExpired => _expired.IsCancellationRequested;

    public TimeSpan Idle => _idle;

    /// <summary>A client message arrived; a tile message also puts one tile in flight.</summary>
    public void Received(bool tile)
    {
        lock (_lock)
        {
            if (tile)
            {
                _inFlight++;
            }

            Arm();
        }
    }

    /// <summary>A tile went back to the client.</summary>
    public void Sent()
    {
        lock (_lock)
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            Arm();
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _expired.Dispose();
    }

    private void Arm() => _timer?.Change(_inFlight == 0 ? _idle : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    private void Expire()
    {
        lock (_lock)
        {
            if (_inFlight != 0)
            {
                return;
            }
        }

        try
        {
            _expired.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
