using System.Buffers.Binary;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.TestSupport;

/// <summary>Small encoded images built in code for edge cases the shared set lacks.</summary>
public static class SyntheticImages
{
    /// <summary>A PNG whose header claims a size with no pixel data behind it.</summary>
    public static byte[] PngHeaderOnly(uint width, uint height)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        byte[] ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        WriteChunk(stream, "IHDR", ihdr);
        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    /// <summary>A valid PNG of <paramref name="totalBytes"/> bytes: a small image plus a private ancillary chunk
    /// (<c>prVt</c>, which decoders skip) that carries the bulk.</summary>
    public static byte[] LargePng(int totalBytes)
    {
        using var image = new Image<Rgb24>(32, 32, new Rgb24(40, 120, 200));
        using var small = new MemoryStream();
        image.SaveAsPng(small);
        byte[] png = small.ToArray();
        const int IendBytes = 12;
        int payload = totalBytes - png.Length - 12;
        ArgumentOutOfRangeException.ThrowIfNegative(payload, nameof(totalBytes));
        using var stream = new MemoryStream(totalBytes);
        stream.Write(png.AsSpan(0, png.Length - IendBytes));
        WriteChunk(stream, "prVt", new byte[payload]);
        stream.Write(png.AsSpan(png.Length - IendBytes));
        return stream.ToArray();
    }

    /// <summary>A JPEG stored sideways with EXIF orientation 6 (display rotated 90° clockwise).</summary>
    public static byte[] RotatedJpeg(int storedWidth, int storedHeight)
    {
        using var image = new Image<Rgb24>(storedWidth, storedHeight);
        for (int y = 0; y < storedHeight; y++)
        {
            for (int x = 0; x < storedWidth; x++)
            {
                image[x, y] = x < storedWidth / 2 ? new Rgb24(250, 10, 10) : new Rgb24(10, 10, 250);
            }
        }

        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new JpegEncoder { Quality = 95 });
        return stream.ToArray();
    }

    /// <summary>A two-frame GIF: red then blue.</summary>
    public static byte[] TwoFrameGif()
    {
        using var image = new Image<Rgba32>(8, 8, new Rgba32(255, 0, 0, 255));
        using var second = new Image<Rgba32>(8, 8, new Rgba32(0, 0, 255, 255));
        image.Frames.AddFrame(second.Frames.RootFrame);
        using var stream = new MemoryStream();
        image.SaveAsGif(stream, new GifEncoder());
        return stream.ToArray();
    }

    /// <summary>RGBA PNG, opaque red with alpha rising left to right.</summary>
    public static byte[] AlphaGradientPng(int width, int height)
    {
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new Rgba32(200, 40, 40, (byte)(x * 255 / (width - 1)));
            }
        }

        return Png(image, PngColorType.RgbWithAlpha, PngBitDepth.Bit8);
    }

    /// <summary>16-bit grayscale PNG with a fine ramp that 8 bits cannot hold.</summary>
    public static byte[] Gray16Png(int width, int height)
    {
        using var image = new Image<L16>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new L16((ushort)(20000 + (x * 37) + (y * 3)));
            }
        }

        return Png(image, PngColorType.Grayscale, PngBitDepth.Bit16);
    }

    public static byte[] Png<TPixel>(Image<TPixel> image, PngColorType color, PngBitDepth depth)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, new PngEncoder { ColorType = color, BitDepth = depth });
        return stream.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        stream.Write(length);
        byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
        stream.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        stream.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
