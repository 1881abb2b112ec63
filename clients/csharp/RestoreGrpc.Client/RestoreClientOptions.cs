using System.Security.Cryptography.X509Certificates;

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
    /// Client-side health checking on a balanced channel (gRFC A17): each instance is watched on
    /// <c>grpc.health.v1</c> under this service name (the server's readiness: NOT_SERVING while it drains or its
    /// default model is not ready) and gets no calls unless it reports SERVING. <c>null</c> turns it off (plain
    /// round-robin over every connected instance).
    /// </summary>
    public string? HealthCheckService { get; set; } = DefaultHealthCheckService;

    /// <summary>The readiness service name the server reports on <c>grpc.health.v1</c>.</summary>
    public const string DefaultHealthCheckService = "restoregrpc.v1.RestoreService";

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

    /// <summary>
    /// Optional HTTP handler (proxies, tests). The TLS settings below are applied to it when it is a
    /// <see cref="SocketsHttpHandler"/>; any other handler must bring its own TLS and cannot be combined with them.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>API key sent as <c>x-api-key</c> metadata on every call. Never logged or shown by <see cref="ToString"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Bearer token (a JWT) sent as <c>authorization: Bearer …</c> on every call.</summary>
    public string? BearerToken { get; set; }

    /// <summary>
    /// Asked for the bearer token before every call (for tokens that expire: cache and refresh inside it). Takes the
    /// place of <see cref="BearerToken"/>; set one or the other.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? BearerTokenProvider { get; set; }

    /// <summary>
    /// PEM bundle of the certificate authorities that may sign the server's certificate, instead of the system's
    /// trust store (a private CA). Adds to <see cref="CaCertificates"/>.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Authorities trusted for the server's certificate, instead of the system's trust store.</summary>
    public X509Certificate2Collection? CaCertificates { get; set; }

    /// <summary>
    /// Client certificate with its private key, presented when the server asks (mTLS). Load PEM files with
    /// <see cref="ClientCertificates.FromPemFiles"/>.
    /// </summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>
    /// Sends <see cref="ApiKey"/> / bearer tokens over a plaintext <c>http://</c> address too. Off by default: the client
    /// refuses to put secrets on an unencrypted connection. Meant for loopback and for meshes whose sidecar encrypts.
    /// </summary>
    public bool AllowInsecureCredentials { get; set; }

    /// <summary>The address and which credentials are set, never their values.</summary>
    public override string ToString()
    {
        var parts = new List<string> { $"Address={Address}" };
        if (ApiKey is not null)
        {
            parts.Add("ApiKey=***");
        }

        if (BearerToken is not null || BearerTokenProvider is not null)
        {
            parts.Add("BearerToken=***");
        }

        if (CaCertificatePath is not null)
        {
            parts.Add($"CaCertificatePath={CaCertificatePath}");
        }

        if (CaCertificates is { Count: > 0 } authorities)
        {
            parts.Add($"CaCertificates={authorities.Count}");
        }

        if (ClientCertificate is not null)
        {
            parts.Add($"ClientCertificate={ClientCertificate.Subject}");
        }

        return $"RestoreClientOptions {{ {string.Join(", ", parts)} }}";
    }
}
