using RestoreGrpc.Core.Faces;
using RestoreGrpc.Core.Imaging;

namespace RestoreGrpc.Core.Restoration;

/// <summary>The encoded output of one request and how it was made.</summary>
public sealed record RestorationResult(
    EncodedImage Output,
    ImageDescription Input,
    string Model,
    int ModelScale,
    double Scale,
    int TileCount,
    int TileSize,
    int TileMargin,
    string ExecutionProvider,
    StageTimings Timings,
    RestoreTaskKind Task,
    IReadOnlyList<FaceReport> Faces,
    string? FaceDetector,
    string? FaceRestorer);
