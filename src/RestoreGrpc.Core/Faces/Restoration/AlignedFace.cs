using RestoreGrpc.Core.Faces.Alignment;

namespace RestoreGrpc.Core.Faces.Restoration;

/// <summary>One face to restore: its five landmarks in canvas coordinates and the transform onto the crop.</summary>
internal sealed record AlignedFace(IReadOnlyList<(double X, double Y)> Landmarks, SimilarityTransform CanvasToCrop, int CropSize)
{
    public static AlignedFace Align(IReadOnlyList<(double X, double Y)> canvasLandmarks, int cropSize) =>
        new(canvasLandmarks, SimilarityTransform.Fit(canvasLandmarks, FfhqTemplate.ForSize(cropSize)), cropSize);
}
