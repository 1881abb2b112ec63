namespace RestoreGrpc.Tiling;

/// <summary>One unit of model work.</summary>
/// <param name="Index">Position in the plan (row-major).</param>
/// <param name="Window">Input pixels the tile reads; may extend past the image where the plan pads.</param>
/// <param name="Core">Input pixels whose output this tile owns.</param>
/// <param name="CoreInWindow">The core relative to the window.</param>
public readonly record struct Tile(int Index, int Column, int Row, PixelRect Window, PixelRect Core, PixelRect CoreInWindow)
{
    /// <summary>Output pixels this tile writes, for a model of the given scale.</summary>
    public PixelRect OutputCore(int scale) => Core.Scale(scale);
}
