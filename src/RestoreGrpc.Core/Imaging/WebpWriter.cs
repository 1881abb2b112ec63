using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Writes WebP through libwebp (embedded in Skia): lossy VP8 at the quality asked, or lossless VP8L when asked;
/// alpha kept when the layout has it. libwebp is ~5–10× faster than ImageSharp 2's managed WebP encoder. The ICC
/// profile and EXIF are then added in the extended (VP8X) container by <see cref="WebpContainer"/>.
/// </summary>
internal static class WebpWriter
{
    /// <summary>libwebp's effort for lossless output (its "quality" there): 0 fastest .. 100 smallest.</summary>
    public const int LosslessEffort = 25;

    public static unsafe byte[] Write(Image image, bool alpha, bool lossless, int quality, byte[]? icc, byte[]? exif)
    {
        Image<Rgba32>? converted = image as Image<Rgba32>;
        using Image<Rgba32>? owned = converted is null ? image.CloneAs<Rgba32>() : null;
        Image<Rgba32> pixels = converted ?? owned!;

        int width = pixels.Width;
        int height = pixels.Height;
        byte[] buffer = new byte[checked(width * height * 4)];
        pixels.CopyPixelDataTo(buffer);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, alpha ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        fixed (byte* address = buffer)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)address, info.RowBytes);
            var options = new SKWebpEncoderOptions(
                lossless ? SKWebpEncoderCompression.Lossless : SKWebpEncoderCompression.Lossy,
                lossless ? LosslessEffort : quality);
            using SKData encoded = pixmap.Encode(options)
                ?? throw new InvalidOperationException($"libwebp could not encode a {width}x{height} image");
            byte[] bytes = encoded.ToArray();
            return WebpContainer.WithMetadata(bytes, width, height, alpha, icc, exif);
        }
    }
}
