using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Faces.Detection;

/// <summary>Finds faces and their five landmarks. Implementations are safe to call concurrently.</summary>
internal interface IFaceDetector
{
    /// <summary>A short name for logs and diagnostics.</summary>
    string Name { get; }

    /// <summary>
    /// Detects the faces in <paramref name="image"/>. The results are in the image's own pixel coordinates (whatever
    /// scaling detection used internally), after score filtering and non-maximum suppression, sorted by score,
    /// best first.
    /// </summary>
    IReadOnlyList<DetectedFace> Detect(Image<Rgb24> image, FaceDetectionOptions options, CancellationToken cancellationToken);
}
