using RestoreGrpc.Core.Faces;
using RestoreGrpc.Core.Imaging;

namespace RestoreGrpc.Core.Restoration;

/// <summary>
/// The encoded output of one request and how it was made. <paramref name="FacesNotSearched"/> says why AUTO did not
/// look for faces (no face model to do it with); null when it looked or was not asked to.
/// </summary>
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
    string? FaceRestorer,
    string? FacesNotSearched = null);
