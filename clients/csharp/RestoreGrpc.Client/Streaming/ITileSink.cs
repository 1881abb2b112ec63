using RestoreGrpc.Tiling;

namespace RestoreGrpc.Client.Streaming;

/// <summary>Where <see cref="RestoreClient.RestoreLargeAsync"/> puts output tiles. Each output pixel is written
/// exactly once, tiles in any order; a reconnect does not repeat tiles already written.</summary>
public interface ITileSink
{
    /// <summary>Called once, before the first tile, with the output size.</summary>
    void Start(int width, int height, RawPixelFormat format);

    /// <summary>One output tile's raw pixels (rows top to bottom).</summary>
    void Write(PixelRect rect, ReadOnlySpan<byte> pixels);

    /// <summary>Called once, after the last tile.</summary>
    void Complete();
}
