using RestoreGrpc.Core.Faces.Detection;

namespace RestoreGrpc.Core.Faces;

/// <summary>Applies a <see cref="FaceSelectionKind"/> to detections.</summary>
internal static class FaceSelector
{
    public static IReadOnlyList<DetectedFace> Select(IReadOnlyList<DetectedFace> faces, FaceSelectionKind selection, int imageWidth, int imageHeight)
    {
        ArgumentNullException.ThrowIfNull(faces);
        if (faces.Count <= 1 || selection == FaceSelectionKind.All)
        {
            return faces;
        }

        DetectedFace chosen = selection == FaceSelectionKind.Largest
            ? faces.MaxBy(f => f.Box.Area)!
            : faces.MinBy(f => Math.Pow(f.Box.X + (f.Box.Width / 2) - (imageWidth / 2.0), 2) + Math.Pow(f.Box.Y + (f.Box.Height / 2) - (imageHeight / 2.0), 2))!;
        return [chosen];
    }

    /// <summary>A face from caller-provided landmarks: the box spans the points, widened like a detector's box.</summary>
    public static DetectedFace FromLandmarks(IReadOnlyList<LandmarkPoint> landmarks)
    {
        ArgumentNullException.ThrowIfNull(landmarks);
        float left = landmarks.Min(p => p.X), right = landmarks.Max(p => p.X);
        float top = landmarks.Min(p => p.Y), bottom = landmarks.Max(p => p.Y);
        float size = Math.Max(right - left, bottom - top) * 2f;
        float cx = (left + right) / 2, cy = (top + bottom) / 2;
        return new DetectedFace(new FaceBox(cx - (size / 2), cy - (size / 2), size, size), 1f, landmarks);
    }
}
