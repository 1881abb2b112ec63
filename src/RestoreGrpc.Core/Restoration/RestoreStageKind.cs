namespace RestoreGrpc.Core.Restoration;

/// <summary>Where a unary restoration is, as <see cref="RestoreProgressReport"/> tells a caller that shows progress.</summary>
public enum RestoreStageKind
{
    /// <summary>Admitted: resolving models, waiting for memory.</summary>
    Queued = 1,
    Decoding = 2,
    DetectingFaces = 3,
    /// <summary>Super-resolution tiles queued or inferring.</summary>
    Upscaling = 4,
    RestoringFaces = 5,
    Encoding = 6,
}
