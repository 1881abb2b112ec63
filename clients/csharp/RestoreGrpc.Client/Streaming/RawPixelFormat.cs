namespace RestoreGrpc.Client.Streaming;

/// <summary>Layout of streamed tile pixels: interleaved gray or RGB samples, 8 or 16 bits (16-bit little-endian).</summary>
public readonly record struct RawPixelFormat(int BitDepth, int Channels)
{
    public static RawPixelFormat Rgb24 => new(8, 3);

    public static RawPixelFormat Rgb48 => new(16, 3);

    public int BytesPerPixel => BitDepth / 8 * Channels;
}
