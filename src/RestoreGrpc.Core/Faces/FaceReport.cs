using RestoreGrpc.Core.Faces.Alignment;
using RestoreGrpc.Core.Faces.Detection;

namespace RestoreGrpc.Core.Faces;

/// <summary>A face of the input (input coordinates) and what the request did with it.</summary>
/// <param name="InputToCrop">Input image to the restorer's aligned crop; null when not restored.</param>
public sealed record FaceReport(DetectedFace Face, SimilarityTransform? InputToCrop, bool Restored);
