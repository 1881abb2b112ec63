using RestoreGrpc.Core.Errors;

namespace RestoreGrpc.Server.Mapping;

/// <summary>Core's <see cref="RequestField"/>s as v1 field paths, for <c>google.rpc.BadRequest</c> field violations.</summary>
internal static class FieldPaths
{
    public static string Of(RequestField field) => field switch
    {
        RequestField.Image => "image",
        RequestField.Width => "width",
        RequestField.Height => "height",
        RequestField.Model => "options.model",
        RequestField.Scale => "options.scale",
        RequestField.TileSize => "options.tiling.tile_size",
        RequestField.TileMargin => "options.tiling.tile_margin",
        RequestField.OutputQuality => "options.output.quality",
        RequestField.OutputFormat => "options.output.format",
        RequestField.OutputBackground => "options.output.background",
        RequestField.Task => "options.task",
        RequestField.Priority => "options.priority",
        RequestField.FaceSelection => "options.faces.selection",
        RequestField.FaceDetector => "options.faces.detector",
        RequestField.FaceRestorer => "options.faces.restorer",
        RequestField.FaceBlend => "options.faces.blend",
        RequestField.FaceScoreThreshold => "options.faces.score_threshold",
        RequestField.FaceLandmarks => "options.faces.landmarks",
        RequestField.StreamHeader => "header",
        RequestField.StreamTask => "header.options.task",
        RequestField.StreamWidth => "header.width",
        RequestField.StreamHeight => "header.height",
        RequestField.StreamBitDepth => "header.pixel_format.bit_depth",
        RequestField.StreamChannels => "header.pixel_format.channel_count",
        RequestField.StreamJobId => "header.job_id",
        RequestField.StreamHeldTiles => "header.held_tiles",
        RequestField.StreamTile => "tile",
        RequestField.StreamTileIndex => "tile.index",
        RequestField.StreamTilePixels => "tile.pixels",
        RequestField.ModelName => "name",
        RequestField.NewModelName => "new_model.name",
        RequestField.NewModelFile => "new_model.file",
        RequestField.NewModelSha256 => "new_model.sha256",
        RequestField.NewModelTask => "new_model.task",
        RequestField.NewModelScale => "new_model.scale",
        RequestField.NewModelArchitecture => "new_model.architecture",
        RequestField.NewModelFixedSize => "new_model.input.fixed_size",
        RequestField.NewModelTileSize => "new_model.tile_size",
        RequestField.NewModelTileMargin => "new_model.tile_margin",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "a request field without a v1 path"),
    };
}
