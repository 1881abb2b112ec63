namespace RestoreGrpc.Server.Hosting;

/// <summary>Host settings (section <c>Restore:Server</c>).</summary>
public sealed class RestoreServerOptions
{
    public const string Section = "Restore:Server";

    /// <summary>Largest request message accepted (the encoded input image plus a little).</summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest response message sent (the encoded output image).</summary>
    public int MaxSendMessageBytes { get; set; } = 512 * 1024 * 1024;

    /// <summary>Model runs executing at once across all models; 0 picks one per model session (two on CUDA, one
    /// on CPU, where one run already uses every core).</summary>
    public int ConcurrentRuns { get; set; }
}
