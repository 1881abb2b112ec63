namespace RestoreGrpc.Core.Faces.Detection;

/// <summary>How a face detector filters and scales its work.</summary>
public sealed record FaceDetectionOptions
{
    /// <summary>The defaults: score 0.75, NMS IoU 0.4, detection at most 640 px on the longer side, no minimum size.</summary>
    public static FaceDetectionOptions Default { get; } = new();

    /// <summary>
    /// Detections scoring below this (in [0, 1]) are dropped. The default, 0.75, keeps clear faces (both detectors
    /// score them above 0.9) and drops blurred background faces a dozen pixels wide (which score up to about 0.6).
    /// </summary>
    public float ScoreThreshold { get; init; } = 0.75f;

    /// <summary>Non-maximum suppression drops a detection whose box overlaps a better one by more than this IoU.</summary>
    public float NmsIouThreshold { get; init; } = 0.4f;

    /// <summary>
    /// Images whose longer side exceeds this are downscaled (high-quality resampling) before detection; results are
    /// mapped back to the original image's coordinates.
    /// </summary>
    public int MaxInputSide { get; init; } = 640;

    /// <summary>Faces whose box is smaller than this many pixels on its shorter side are dropped; 0 keeps all.</summary>
    public float MinFaceSize { get; init; }

    internal void Validate()
    {
        if (!(ScoreThreshold >= 0f && ScoreThreshold <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(ScoreThreshold), ScoreThreshold, "must be in [0, 1]");
        }

        if (!(NmsIouThreshold >= 0f && NmsIouThreshold <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(NmsIouThreshold), NmsIouThreshold, "must be in [0, 1]");
        }

        if (MaxInputSide < 32)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInputSide), MaxInputSide, "must be at least 32");
        }

        if (!(MinFaceSize >= 0f) || float.IsInfinity(MinFaceSize))
        {
            throw new ArgumentOutOfRangeException(nameof(MinFaceSize), MinFaceSize, "must be a finite number of pixels, 0 or more");
        }
    }

    internal bool IsLargeEnough(FaceBox box) => Math.Min(box.Width, box.Height) >= MinFaceSize;
}
