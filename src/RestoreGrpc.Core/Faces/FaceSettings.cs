using RestoreGrpc.Core.Faces.Detection;

namespace RestoreGrpc.Core.Faces;

/// <summary>Face options of a request. Null values take the catalog's or detector's defaults.</summary>
/// <param name="Detector">Face-detection model name.</param>
/// <param name="Restorer">Face-restoration model name.</param>
/// <param name="Blend">Weight of the restored face, 0..1.</param>
/// <param name="MinFaceSize">Shorter box side below which faces are ignored, in input pixels.</param>
/// <param name="ScoreThreshold">Detector score threshold.</param>
/// <param name="ColorFidelity">Keep the input face's low-frequency colour.</param>
/// <param name="Landmarks">Caller-provided faces (five points each, input coordinates); detection is skipped.</param>
public sealed record FaceSettings(
    string? Detector = null,
    string? Restorer = null,
    double Blend = 1.0,
    FaceSelectionKind Selection = FaceSelectionKind.All,
    float MinFaceSize = 0,
    float? ScoreThreshold = null,
    bool ColorFidelity = false,
    IReadOnlyList<IReadOnlyList<LandmarkPoint>>? Landmarks = null)
{
    public FaceDetectionOptions DetectionOptions => FaceDetectionOptions.Default with
    {
        ScoreThreshold = ScoreThreshold ?? FaceDetectionOptions.Default.ScoreThreshold,
        MinFaceSize = MinFaceSize,
    };
}
