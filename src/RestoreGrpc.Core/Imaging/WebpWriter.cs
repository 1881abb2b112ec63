using System.Buffers;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Writes WebP through libwebp: lossy VP8 at the quality asked through libvips at a fast effort
/// (<see cref="VipsWebpEncoder"/>; Skia's libwebp where libvips is unavailable), or lossless VP8L through Skia's
/// libwebp (its lossless method 0 is already the fastest); alpha kept when the layout has it. The ICC profile and EXIF
/// are then added in the extended (VP8X) container by <see cref="WebpContainer"/>.
/// </summary>
internal static class WebpWriter
{
    /// <summary>libwebp's effort for lossless output (its "quality" there): 0 fastest .. 100 smallest. 0 against 25:
    /// 10–20 % faster for 0.3 % more bytes on a photo (<c>WebpEncodeBenchmark</c>).</summary>
    public const int LosslessEffort = 0;

    public static byte[] Write(Image image, bool alpha, bool lossless, int quality, byte[]? icc, byte[]? exif)
    {
        int width = image.Width;
        int height = image.Height;
        int bands = alpha ? 4 : 3;
        int length = checked(width * height * bands);
        bool vips = !lossless && VipsWebpEncoder.IsAvailable;
        if (!vips)
        {
            bands = 4; // Skia takes RGBA
            length = checked(width * height * 4);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> pixels = rented.AsSpan(0, length);
            CopyPixels(image, bands, pixels);
            byte[] encoded = vips
                ? VipsWebpEncoder.EncodeLossy(pixels, width, height, bands, quality)
                : EncodeWithSkia(pixels, width, height, alpha, lossless, lossless ? LosslessEffort : quality);
            return WebpContainer.WithMetadata(encoded, width, height, alpha, icc, exif);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Skia's libwebp on tightly packed RGBA: lossy at libwebp method 3 (fixed by Skia), lossless at method 0
    /// with <paramref name="quality"/> as the effort.</summary>
    public static unsafe byte[] EncodeWithSkia(ReadOnlySpan<byte> rgba, int width, int height, bool alpha, bool lossless, int quality)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, alpha ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        fixed (byte* address = rgba)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)address, info.RowBytes);
            var options = new SKWebpEncoderOptions(lossless ? SKWebpEncoderCompression.Lossless : SKWebpEncoderCompression.Lossy, quality);
            using SKData encoded = pixmap.Encode(options)
                ?? throw new InvalidOperationException($"libwebp could not encode a {width}x{height} image");
            return encoded.ToArray();
        }
    }

    /// <summary>The image's pixels as tightly packed 8-bit RGB (3 bands) or RGBA (4).</summary>
    public static void CopyPixels(Image image, int bands, Span<byte> destination)
    {
        if (bands == 4)
        {
            if (image is Image<Rgba32> rgba)
            {
                rgba.CopyPixelDataTo(destination);
                return;
            }

            using Image<Rgba32> converted = image.CloneAs<Rgba32>();
            converted.CopyPixelDataTo(destination);
            return;
        }

        switch (image)
        {
            case Image<Rgb24> rgb:
                rgb.CopyPixelDataTo(destination);
                break;
            case Image<Rgba32> rgbaSource:
                int rowBytes = rgbaSource.Width * 3;
                for (int y = 0; y < rgbaSource.Height; y++)
                {
                    PixelOperations<Rgba32>.Instance.ToRgb24(
                        Configuration.Default,
                        rgbaSource.DangerousGetPixelRowMemory(y).Span,
                        MemoryMarshal.Cast<byte, Rgb24>(destination.Slice(y * rowBytes, rowBytes)));
                }

                break;
            default:
                using (Image<Rgb24> converted = image.CloneAs<Rgb24>())
                {
                    converted.CopyPixelDataTo(destination);
                }

                break;
        }
    }
}
