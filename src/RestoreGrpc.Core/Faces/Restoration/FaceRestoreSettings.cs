namespace RestoreGrpc.Core.Faces.Restoration;

/// <summary>How restored faces are merged.</summary>
/// <param name="Blend">Weight of the restored face against the unrestored image, 0..1 (0 leaves it untouched).</param>
/// <param name="ColorFidelity">Keep the input face's low-frequency colour (skin tone) under the restored detail.</param>
internal sealed record FaceRestoreSettings(double Blend = 1.0, bool ColorFidelity = false);
