namespace RestoreGrpc.Client.Streaming;

/// <summary>
/// When a lost tile stream is resumed: back-off doubling from <c>initialBackoff</c> up to <c>maxBackoff</c>, for as
/// long as one outage lasts less than <c>window</c> (a restarting server is down 11–15 s; the default window is 30 s),
/// and at most <c>maxReconnects</c> resumptions per call in all. An outage ends when a resumed stream delivers a tile.
/// </summary>
internal sealed class StreamReconnectPolicy(TimeSpan window, int maxReconnects, TimeSpan initialBackoff, TimeSpan maxBackoff)
{
    public StreamReconnectPolicy(RestoreClientOptions options)
        : this(options.StreamReconnectWindow, options.MaxStreamReconnects, options.InitialBackoff, options.MaxBackoff)
    {
    }

    /// <summary>
    /// The wait before the next resumption, or null to give up. <paramref name="attemptInOutage"/> counts the failures
    /// of this outage (1 for the loss itself), <paramref name="outage"/> is how long it has lasted, and
    /// <paramref name="reconnects"/> the resumptions of this call so far.
    /// </summary>
    public TimeSpan? NextDelay(int attemptInOutage, TimeSpan outage, int reconnects)
    {
        if (reconnects >= maxReconnects || outage >= window)
        {
            return null;
        }

        double doubled = initialBackoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, attemptInOutage - 1));
        TimeSpan delay = TimeSpan.FromMilliseconds(Math.Min(doubled, maxBackoff.TotalMilliseconds));

        // The last try lands at the window's end rather than after it.
        return delay < window - outage ? delay : window - outage;
    }
}
