namespace RestoreGrpc.Core.Restoration;

/// <summary>Wall time spent in each stage of one request.</summary>
public sealed record StageTimings(
    TimeSpan Decode,
    TimeSpan QueueWait,
    TimeSpan Inference,
    TimeSpan Tiling,
    TimeSpan Postprocess,
    TimeSpan Encode,
    TimeSpan Total,
    TimeSpan FaceDetection,
    TimeSpan FaceRestoration);
