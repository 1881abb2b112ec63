namespace RestoreGrpc.Core.Errors;

/// <summary>
/// The parts of a request Core names when it refuses one, in Core's own terms. The host maps each to its wire
/// name (the gRPC server: a <c>google.rpc.BadRequest</c> field path).
/// </summary>
public enum RequestField
{
    /// <summary>The encoded input image.</summary>
    Image,

    /// <summary>The image width of a plan-only request (an estimate).</summary>
    Width,

    /// <summary>The image height of a plan-only request (an estimate).</summary>
    Height,

    Model,
    Scale,
    TileSize,
    TileMargin,
    OutputQuality,
    OutputFormat,
    OutputBackground,
    Task,
    Priority,
    FaceSelection,
    FaceDetector,
    FaceRestorer,
    FaceBlend,
    FaceScoreThreshold,
    FaceLandmarks,

    /// <summary>A tile stream's header (missing, late or repeated).</summary>
    StreamHeader,

    /// <summary>The task a tile stream's header asks for.</summary>
    StreamTask,
    StreamWidth,
    StreamHeight,
    StreamBitDepth,
    StreamChannels,
    StreamJobId,
    StreamHeldTiles,

    /// <summary>A streamed input tile (its order, the credit, or the stream's end).</summary>
    StreamTile,
    StreamTileIndex,
    StreamTilePixels,

    /// <summary>The model an admin request names.</summary>
    ModelName,

    /// <summary>The parts of a model added at run time.</summary>
    NewModelName,
    NewModelFile,
    NewModelSha256,
    NewModelTask,
    NewModelScale,
    NewModelArchitecture,
    NewModelFixedSize,
    NewModelTileSize,
    NewModelTileMargin,
}
