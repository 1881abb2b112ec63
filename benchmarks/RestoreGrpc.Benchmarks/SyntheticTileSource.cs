using RestoreGrpc.Client.Streaming;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Benchmarks;

/// <summary>An RGB 8-bit test pattern computed on demand from pixel coordinates: any size, no memory.</summary>
internal sealed class SyntheticTileSource(int width, int height) : ITileSource
{
    public int Width { get; } = width;

    public int Height { get; } = height;

    public RawPixelFormat Format => RawPixelFormat.Rgb24;

    public static byte Red(int x, int y) => (byte)((x * 7) + (y * 3));

    public static byte Green(int x, int y) => (byte)((x ^ y) * 5);

    public static byte Blue(int x, int y) => (byte)(((x / 16) + (y / 16)) % 2 == 0 ? 40 : 220);

    public void ReadWindow(PixelRect window, Span<byte> destination)
    {
        int i = 0;
        for (int y = window.Y; y < window.Bottom; y++)
        {
            for (int x = window.X; x < window.Right; x++)
            {
                destination[i++] = Red(x, y);
                destination[i++] = Green(x, y);
                destination[i++] = Blue(x, y);
            }
        }
    }
}
