using RestoreGrpc.Client.Streaming;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.IntegrationTests.Fleet;

/// <summary>An RGB 8-bit image held as raw bytes, read window by window (a stream's input).</summary>
internal sealed class RawTileSource(int width, int height, int seed) : ITileSource
{
    private readonly byte[] _pixels = Noise(width * height * 3, seed);

    public int Width { get; } = width;

    public int Height { get; } = height;

    public RawPixelFormat Format => RawPixelFormat.Rgb24;

    public void ReadWindow(PixelRect window, Span<byte> destination)
    {
        for (int row = 0; row < window.Height; row++)
        {
            _pixels.AsSpan((((window.Y + row) * Width) + window.X) * 3, window.Width * 3).CopyTo(destination[(row * window.Width * 3)..]);
        }
    }

    private static byte[] Noise(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

/// <summary>Output tiles assembled into raw bytes, each pixel written once; optionally slow, like a client that
/// writes to a slow disk, so a stream stays open while instances fail.</summary>
internal sealed class RawTileSink(TimeSpan delayPerTile) : ITileSink
{
    private byte[] _pixels = [];
    private int _width;

    public byte[] Pixels => _pixels;

    public int TilesWritten { get; private set; }

    public bool Completed { get; private set; }

    public void Start(int width, int height, RawPixelFormat format)
    {
        _width = width;
        _pixels = new byte[width * height * format.BytesPerPixel];
    }

    public void Write(PixelRect rect, ReadOnlySpan<byte> pixels)
    {
        for (int row = 0; row < rect.Height; row++)
        {
            pixels.Slice(row * rect.Width * 3, rect.Width * 3).CopyTo(_pixels.AsSpan((((rect.Y + row) * _width) + rect.X) * 3));
        }

        TilesWritten++;
        if (delayPerTile > TimeSpan.Zero)
        {
            Thread.Sleep(delayPerTile);
        }
    }

    public void Complete() => Completed = true;
}
