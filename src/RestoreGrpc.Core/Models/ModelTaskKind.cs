namespace RestoreGrpc.Core.Models;

/// <summary>What a model does.</summary>
public enum ModelTaskKind
{
    SuperResolution,
    FaceRestoration,
    FaceDetection,
}
