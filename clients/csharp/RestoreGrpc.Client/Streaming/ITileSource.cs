using RestoreGrpc.Tiling;

namespace RestoreGrpc.Client.Streaming;

/// <summary>An input image read window by window for <see cref="RestoreClient.RestoreLargeAsync"/>.</summary>
public interface ITileSource
{
    int Width { get; }

    int Height { get; }

    RawPixelFormat Format { get; }

    /// <summary>Copies a rectangle (inside the image) as raw pixels, rows top to bottom.</summary>
    void ReadWindow(PixelRect window, Span<byte> destination);
}
