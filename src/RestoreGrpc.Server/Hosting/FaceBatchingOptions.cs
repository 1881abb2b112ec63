namespace RestoreGrpc.Server.Hosting;

/// <summary>Dynamic batching of face crops across requests (section <c>Restore:Faces</c>).</summary>
public sealed class FaceBatchingOptions
{
    public const string Section = "Restore:Faces";

    /// <summary>Crops per restorer run.</summary>
    public int MaxBatch { get; set; } = 8;

    /// <summary>How long the first crop of a batch waits for others, in milliseconds.</summary>
    public double MaxDelayMs { get; set; } = 5;

    /// <summary>Crops waiting at most; beyond it requests are refused with RESOURCE_EXHAUSTED and a retry delay.</summary>
    public int MaxQueuedCrops { get; set; } = 256;
}
