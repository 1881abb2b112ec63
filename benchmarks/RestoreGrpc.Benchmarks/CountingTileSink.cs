using RestoreGrpc.Client.Streaming;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Benchmarks;

/// <summary>Drops output tiles, counting the pixels, so the client's own disk and memory stay out of the measurement.</summary>
internal sealed class CountingTileSink : ITileSink
{
    public long ExpectedPixels { get; private set; }

    public long Pixels { get; private set; }

    public void Start(int width, int height, RawPixelFormat format) => ExpectedPixels = (long)width * height;

    public void Write(PixelRect rect, ReadOnlySpan<byte> pixels) => Pixels += rect.Area;

    public void Complete()
    {
        if (Pixels != ExpectedPixels)
        {
            throw new InvalidOperationException($"received {Pixels} output pixels of {ExpectedPixels}");
        }
    }
}
