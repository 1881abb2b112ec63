namespace RestoreGrpc.Core.Streaming;

/// <summary>Field paths of the v1 RestoreStream messages, named in validation errors.</summary>
public static class StreamFields
{
    public const string Header = "header";
    public const string Task = "header.options.task";
    public const string Width = "header.width";
    public const string Height = "header.height";
    public const string BitDepth = "header.pixel_format.bit_depth";
    public const string Channels = "header.pixel_format.channels";
    public const string JobId = "header.job_id";
    public const string HeldTiles = "header.held_tiles";
    public const string Tile = "tile";
    public const string TileIndex = "tile.index";
    public const string TilePixels = "tile.pixels";
}
