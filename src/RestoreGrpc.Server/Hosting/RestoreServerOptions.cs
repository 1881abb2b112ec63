using System.ComponentModel.DataAnnotations;

namespace RestoreGrpc.Server.Hosting;

/// <summary>Host settings (section <c>Restore:Server</c>).</summary>
public sealed class RestoreServerOptions
{
    public const string Section = "Restore:Server";

    /// <summary>Largest request message accepted (the encoded input image plus a little).</summary>
    [Range(1024, int.MaxValue)]
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest response message sent (the encoded output image).</summary>
    [Range(1024, int.MaxValue)]
    public int MaxSendMessageBytes { get; set; } = 512 * 1024 * 1024;

    /// <summary>Model runs executing at once across all models; 0 picks one per model session (two on CUDA, one
    /// on CPU, where one run already uses every core).</summary>
    [Range(0, 1024)]
    public int ConcurrentRuns { get; set; }

    /// <summary>Seconds without traffic after which the server pings an HTTP/2 connection: keeps a stream that waits
    /// minutes for its tiles alive through proxies that drop idle connections.</summary>
    [Range(1, 3600)]
    public double KeepAlivePingSeconds { get; set; } = 30;

    /// <summary>Seconds a ping may go unanswered before the connection is closed (a peer that went away).</summary>
    [Range(1, 3600)]
    public double KeepAlivePingTimeoutSeconds { get; set; } = 20;

    /// <summary>Seconds a SIGTERM'd server drains before it stops: health turns NOT_SERVING and new calls are refused
    /// with UNAVAILABLE at once, running calls and streams may finish within this grace period, and streams still open
    /// at its end are ended with a resumable UNAVAILABLE (the job id in an ErrorInfo) to resume on another instance.
    /// The host's shutdown timeout is this plus a few seconds; keep it under the orchestrator's grace period
    /// (Kubernetes: terminationGracePeriodSeconds, 30 by default).</summary>
    [Range(0, 3600)]
    public double DrainSeconds { get; set; } = 20;
}
