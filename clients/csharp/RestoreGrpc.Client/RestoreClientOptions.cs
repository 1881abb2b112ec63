namespace RestoreGrpc.Client;

/// <summary>Connection settings for <see cref="RestoreClient"/>.</summary>
public sealed class RestoreClientOptions
{
    /// <summary>Server address, e.g. <c>http://localhost:5000</c>.</summary>
    public Uri Address { get; set; } = new("http://localhost:5000");

    /// <summary>Largest response accepted. Restored images are large: ×4 multiplies pixels by 16.</summary>
    public int MaxReceiveMessageBytes { get; set; } = 512 * 1024 * 1024;

    /// <summary>Largest request sent.</summary>
    public int MaxSendMessageBytes { get; set; } = 128 * 1024 * 1024;

    /// <summary>Deadline applied to each call that sets none of its own; null for none.</summary>
    public TimeSpan? DefaultTimeout { get; set; }

    /// <summary>Attempts per call, the first included, when the server answers UNAVAILABLE (1 disables retries).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>First retry back-off; later ones grow ×2 up to <see cref="MaxBackoff"/> (with jitter, by gRPC).</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How long a tile stream keeps trying to resume after its connection is lost, per outage (the clock restarts once
    /// a resumed stream delivers a tile). The default outlasts a server restart (11–15 s measured) twice over.
    /// </summary>
    public TimeSpan StreamReconnectWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most resumptions of one tile stream in all, whatever the window (a cap for flapping links).</summary>
    public int MaxStreamReconnects { get; set; } = 50;

    /// <summary>Optional HTTP handler (proxies, TLS settings, tests).</summary>
    public HttpMessageHandler? HttpHandler { get; set; }
}
