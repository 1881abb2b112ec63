namespace RestoreGrpc.Client;

/// <summary>Connection settings for <see cref="RestoreClient"/>.</summary>
public sealed class RestoreClientOptions
{
    /// <summary>
    /// Server address, e.g. <c>http://localhost:5000</c>; or <c>dns:///host:port</c> to balance round-robin over every
    /// address the name resolves to (a Kubernetes headless Service), see <see cref="Addresses"/> for a fixed list.
    /// </summary>
    public Uri Address { get; set; } = new("http://localhost:5000");

    /// <summary>Several instances to balance round-robin over (tests, setups without DNS); when not empty it replaces
    /// <see cref="Address"/>. Calls the instances refuse (UNAVAILABLE: down, draining) are retried on the others.</summary>
    public IList<Uri> Addresses { get; } = [];

    /// <summary>Whether a balanced channel (<c>dns:///</c> or <see cref="Addresses"/> without https) uses TLS.</summary>
    public bool UseTls { get; set; }

    /// <summary>How often a <c>dns:///</c> address is resolved again, so instances added by scaling get traffic
    /// (it is also resolved again whenever a connection fails).</summary>
    public TimeSpan DnsRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Hedging for Restore (idempotent): when set, a further copy of a Restore that has no answer after this delay
    /// goes to the next instance, up to <see cref="MaxAttempts"/> copies, and the first answer wins (the others are
    /// cancelled). Cuts tail latency from a slow or stuck instance at the price of duplicate work; off by default.
    /// UNAVAILABLE sends the next copy at once. Other calls keep the retry policy.
    /// </summary>
    public TimeSpan? RestoreHedgingDelay { get; set; }

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
