namespace RestoreGrpc.Tiling;

/// <summary>How to tile an image for a model.</summary>
/// <param name="TileSize">Largest core edge in input pixels.</param>
/// <param name="Margin">Context read around each core, in input pixels. At or above the model's receptive radius,
/// the tiled output equals a whole-image inference.</param>
/// <param name="Scale">The model's integer upscaling factor.</param>
/// <param name="PadToFullShape">Give every tile the full <c>TileSize + 2·Margin</c> shape even when the image is
/// smaller (reflect padding), so that tiles of different images share one tensor shape.</param>
public sealed record TilePlanOptions(int TileSize, int Margin, int Scale, bool PadToFullShape = false);
