using RestoreGrpc.Core.Errors;

namespace RestoreGrpc.Core.Streaming;

/// <summary>Raw layout of streamed tile pixels: interleaved gray or RGB samples, 8 or 16 bits (little-endian).</summary>
public readonly record struct StreamPixelFormat(int BitDepth, int Channels)
{
    public static StreamPixelFormat Rgb24 => new(8, 3);

    public int BytesPerSample => BitDepth / 8;

    public int BytesPerPixel => BytesPerSample * Channels;

    /// <summary>Checks the format; throws <see cref="InvalidRequestException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (BitDepth is not (8 or 16))
        {
            throw new InvalidRequestException(RequestField.StreamBitDepth, $"must be 8 or 16 (got {BitDepth})");
        }

        if (Channels is not (1 or 3))
        {
            throw new InvalidRequestException(RequestField.StreamChannels, $"must be 1 (gray) or 3 (RGB) (got {Channels}); alpha is not streamed");
        }
    }

    public override string ToString() => $"{(Channels == 1 ? "gray" : "RGB")} {BitDepth}-bit";
}
