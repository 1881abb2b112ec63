using System.Buffers.Binary;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Streaming;

/// <summary>
/// Converts streamed raw pixels (interleaved gray or RGB, 8 or 16 bits) to a planar (CHW) model tensor and a region
/// of a model output tensor back to raw pixels, with the same scaling and rounding as the unary path (samples / max
/// in, clamp to [0, 1] and round half up out). Gray input feeds all three channels; gray output is BT.709 luminance.
/// </summary>
internal static class RawTileCodec
{
    public static void ToTensor(ReadOnlySpan<byte> pixels, int width, int height, StreamPixelFormat format, TensorNormalization normalization, Span<float> tensor)
    {
        int plane = width * height;
        int r = normalization.TensorChannel(0);
        int g = normalization.TensorChannel(1);
        int b = normalization.TensorChannel(2);
        int bytesPerPixel = format.BytesPerPixel;
        int sampleBytes = format.BytesPerSample;
        for (int i = 0; i < plane; i++)
        {
            ReadOnlySpan<byte> pixel = pixels.Slice(i * bytesPerPixel, bytesPerPixel);
            float red = Sample(pixel, 0, sampleBytes);
            float green = format.Channels == 1 ? red : Sample(pixel, 1, sampleBytes);
            float blue = format.Channels == 1 ? red : Sample(pixel, 2, sampleBytes);
            tensor[(r * plane) + i] = normalization.ToModel(red, r);
            tensor[(g * plane) + i] = normalization.ToModel(green, g);
            tensor[(b * plane) + i] = normalization.ToModel(blue, b);
        }
    }

    /// <param name="tensor">One model output (3 planes of <paramref name="tensorWidth"/> × <paramref name="tensorHeight"/>).</param>
    /// <param name="region">The pixels to convert, in tensor coordinates.</param>
    /// <param name="destination">region.Width · region.Height · bytes per pixel.</param>
    public static void FromTensor(
        ReadOnlySpan<float> tensor,
        int tensorWidth,
        int tensorHeight,
        PixelRect region,
        StreamPixelFormat format,
        TensorNormalization normalization,
        Span<byte> destination)
    {
        int plane = tensorWidth * tensorHeight;
        int r = normalization.TensorChannel(0);
        int g = normalization.TensorChannel(1);
        int b = normalization.TensorChannel(2);
        int bytesPerPixel = format.BytesPerPixel;
        int sampleBytes = format.BytesPerSample;
        int written = 0;
        for (int y = region.Y; y < region.Bottom; y++)
        {
            int offset = (y * tensorWidth) + region.X;
            for (int x = 0; x < region.Width; x++)
            {
                float red = Math.Clamp(normalization.FromModel(tensor[(r * plane) + offset + x], r), 0f, 1f);
                float green = Math.Clamp(normalization.FromModel(tensor[(g * plane) + offset + x], g), 0f, 1f);
                float blue = Math.Clamp(normalization.FromModel(tensor[(b * plane) + offset + x], b), 0f, 1f);
                Span<byte> pixel = destination.Slice(written, bytesPerPixel);
                if (format.Channels == 1)
                {
                    Store(pixel, 0, sampleBytes, (0.2126f * red) + (0.7152f * green) + (0.0722f * blue));
                }
                else
                {
                    Store(pixel, 0, sampleBytes, red);
                    Store(pixel, 1, sampleBytes, green);
                    Store(pixel, 2, sampleBytes, blue);
                }

                written += bytesPerPixel;
            }
        }
    }

    private static float Sample(ReadOnlySpan<byte> pixel, int channel, int sampleBytes) => sampleBytes == 1
        ? pixel[channel] / 255f
        : BinaryPrimitives.ReadUInt16LittleEndian(pixel[(channel * 2)..]) / 65535f;

    private static void Store(Span<byte> pixel, int channel, int sampleBytes, float value)
    {
        if (sampleBytes == 1)
        {
            pixel[channel] = (byte)((value * 255f) + 0.5f);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(pixel[(channel * 2)..], (ushort)((value * 65535f) + 0.5f));
        }
    }
}
