using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.Metadata.Profiles.Icc;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Encodes a restored image in the layout of its source: grayscale stays grayscale, 16-bit stays 16-bit where the
/// format holds it (PNG, TIFF), alpha stays where the format holds it; palette sources come out as RGB(A) because
/// restoration creates colours no palette has. ICC profile and EXIF are carried over unless stripped.
/// </summary>
internal static class ImageEncoder
{
    public static EncodedImage Encode(
        Image image,
        ImageDescription source,
        IccProfile? iccProfile,
        ExifProfile? exifProfile,
        EncodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(settings);

        ImageFormatKind format = settings.Format ?? source.Format;
        int quality = Math.Clamp(settings.Quality ?? EncodeSettings.DefaultQuality, 1, 100);
        ColorKind color = OutputColor(source, format);
        int bitDepth = source.BitDepth > 8 && format is ImageFormatKind.Png or ImageFormatKind.Tiff ? 16 : 8;

        image.Metadata.IccProfile = settings.StripMetadata ? null : iccProfile;
        image.Metadata.ExifProfile = settings.StripMetadata ? null : exifProfile;

        var notes = new List<string>();
        if (source.HasAlpha && format == ImageFormatKind.Jpeg)
        {
            // JPEG has no alpha: what is under transparent pixels must not show (it is often garbage).
            Rgb24 background = settings.Background ?? new Rgb24(255, 255, 255);
            image.Mutate(x => x.BackgroundColor(Color.FromRgb(background.R, background.G, background.B)));
            notes.Add($"alpha composited over #{background.R:x2}{background.G:x2}{background.B:x2} (JPEG has no alpha)");
        }

        if (settings.Lossless && format != ImageFormatKind.Webp)
        {
            notes.Add(format == ImageFormatKind.Jpeg
                ? "lossless ignored: JPEG has no lossless mode"
                : $"lossless has no effect: {format} is always lossless");
        }

        byte[]? bytes = null;
        Microsoft.IO.RecyclableMemoryStream? pooled = null;
        if (format == ImageFormatKind.Webp)
        {
            bytes = WebpWriter.Write(
                image,
                color is ColorKind.Rgba or ColorKind.GrayAlpha,
                settings.Lossless,
                quality,
                image.Metadata.IccProfile?.ToByteArray(),
                image.Metadata.ExifProfile?.ToByteArray());
        }
        else if (format == ImageFormatKind.Tiff)
        {
            bytes = TiffWriter.Write(image, color, bitDepth, image.Metadata.IccProfile, image.Metadata.ExifProfile);
        }
        else if (format == ImageFormatKind.Png && FastPngWriter.CanWrite(image, color, bitDepth))
        {
            pooled = FastPngWriter.Write(
                (Image<Rgba32>)image,
                color == ColorKind.Rgba,
                settings.PngCompressionLevel ?? EncodeSettings.DefaultPngCompressionLevel,
                image.Metadata.IccProfile?.ToByteArray(),
                image.Metadata.ExifProfile?.ToByteArray());
        }
        else
        {
            pooled = Memory.EncodeBuffers.Blocks();
            int pngLevel = settings.PngCompressionLevel ?? EncodeSettings.DefaultPngCompressionLevel;
            image.Save(pooled, CreateEncoder(format, color, bitDepth, quality, pngLevel));
            if (format == ImageFormatKind.Png && image.Metadata.IccProfile is { } icc)
            {
                bytes = PngIccChunk.Insert(pooled.ToArray(), icc.ToByteArray());
                pooled.Dispose();
                pooled = null;
            }
        }

        // A pooled stream's bytes are handed out in its own (contiguous) buffer, without a copy.
        ReadOnlyMemory<byte> memory = pooled is null ? bytes : pooled.GetBuffer().AsMemory(0, (int)pooled.Length);

        var description = new ImageDescription(
            image.Width,
            image.Height,
            format,
            color,
            bitDepth,
            color is ColorKind.Rgba or ColorKind.GrayAlpha,
            // ImageSharp 2 writes no ICC profile or EXIF into BMP or GIF.
            image.Metadata.IccProfile is not null && format is ImageFormatKind.Png or ImageFormatKind.Jpeg or ImageFormatKind.Tiff or ImageFormatKind.Webp,
            image.Metadata.ExifProfile is not null && format is ImageFormatKind.Png or ImageFormatKind.Jpeg or ImageFormatKind.Tiff or ImageFormatKind.Webp,
            image.Metadata.ExifProfile is not null ? 1 : 0,
            memory.Length);
        return new EncodedImage(memory, description, notes, pooled);
    }

    /// <summary>The colour layout written for a source in a format.</summary>
    public static ColorKind OutputColor(ImageDescription source, ImageFormatKind format)
    {
        ArgumentNullException.ThrowIfNull(source);
        ColorKind color = source.Color switch
        {
            ColorKind.Palette => source.HasAlpha ? ColorKind.Rgba : ColorKind.Rgb,
            var c => c,
        };

        return format switch
        {
            ImageFormatKind.Jpeg => source.IsGray ? ColorKind.Gray : ColorKind.Rgb,
            ImageFormatKind.Gif => ColorKind.Palette,
            // BMP has no grayscale-with-alpha form.
            ImageFormatKind.Bmp when color == ColorKind.GrayAlpha => ColorKind.Rgba,
            _ => color,
        };
    }

    private static IImageEncoder CreateEncoder(ImageFormatKind format, ColorKind color, int bitDepth, int quality, int pngLevel) =>
        format switch
        {
            ImageFormatKind.Png => new PngEncoder
            {
                ColorType = color switch
                {
                    ColorKind.Gray => PngColorType.Grayscale,
                    ColorKind.GrayAlpha => PngColorType.GrayscaleWithAlpha,
                    ColorKind.Rgba => PngColorType.RgbWithAlpha,
                    _ => PngColorType.Rgb,
                },
                BitDepth = bitDepth > 8 ? PngBitDepth.Bit16 : PngBitDepth.Bit8,
                CompressionLevel = (PngCompressionLevel)Math.Clamp(pngLevel, 1, 9),
                FilterMethod = PngFilterMethod.Paeth,
            },
            ImageFormatKind.Jpeg => new JpegEncoder
            {
                Quality = quality,
                ColorType = color == ColorKind.Gray ? JpegColorType.Luminance : JpegColorType.YCbCrRatio444,
            },
            ImageFormatKind.Bmp => new BmpEncoder
            {
                BitsPerPixel = color is ColorKind.Rgba ? BmpBitsPerPixel.Pixel32 : BmpBitsPerPixel.Pixel24,
                SupportTransparency = color is ColorKind.Rgba,
            },
            ImageFormatKind.Gif => new GifEncoder(),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
}
