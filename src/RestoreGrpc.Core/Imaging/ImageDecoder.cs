using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.Metadata.Profiles.Icc;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Turns encoded bytes into an upright <see cref="DecodedImage"/>. The header is read first, so empty, unknown,
/// corrupt and oversized inputs are refused with <see cref="InvalidImageException"/> before any pixel memory is
/// taken. Multi-frame GIF and TIFF yield their first frame.
/// </summary>
internal static class ImageDecoder
{
    private const string SupportedFormats = "PNG, JPEG, WebP, TIFF, BMP or GIF";

    public static DecodedImage Decode(ReadOnlyMemory<byte> encoded, ImageLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (encoded.IsEmpty)
        {
            throw new InvalidImageException("is empty (0 bytes)");
        }

        (IImageInfo info, IImageFormat format) = Identify(encoded);
        ImageFormatKind kind = FormatKinds.FromImageSharp(format)
            ?? throw new InvalidImageException($"is {format.Name}, which is not supported (send {SupportedFormats})");
        CheckSize(info.Width, info.Height, limits);
        Guarded(() => TruncationCheck.Check(encoded, kind));

        int orientation = ReadOrientation(info.Metadata);
        ImagePixelLayout layout = ImagePixelLayout.Detect(kind, info);
        Image pixels = kind == ImageFormatKind.Jpeg
            ? JpegPixelDecoder.Decode(encoded, info.Width, info.Height)
            : Load(encoded, kind, layout.BitDepth > 8);
        try
        {
            if (kind == ImageFormatKind.Jpeg)
            {
                // libjpeg-turbo gives pixels only; the metadata comes from the header ImageSharp read.
                pixels.Metadata.ExifProfile = info.Metadata.ExifProfile?.DeepClone();
                pixels.Metadata.IccProfile = info.Metadata.IccProfile?.DeepClone();
            }

            // Palette transparency (GIF, PNG tRNS) is known only from the decoded pixels. A PNG stays "palette" (as
            // stored) with alpha, which is written as RGBA.
            if (kind == ImageFormatKind.Gif && HasTransparency((Image<Rgba32>)pixels))
            {
                layout = layout with { Color = ColorKind.Rgba, HasAlpha = true };
            }
            else if (kind == ImageFormatKind.Png && layout is { Color: ColorKind.Palette, HasAlpha: false } && pixels is Image<Rgba32> indexed && HasTransparency(indexed))
            {
                layout = layout with { HasAlpha = true };
            }

            // ImageSharp decodes every WebP as RGBA; the header says whether alpha is used.
            if (kind == ImageFormatKind.Webp && WebpContainer.UsesAlpha(encoded) is { } usesAlpha)
            {
                layout = new ImagePixelLayout(usesAlpha ? ColorKind.Rgba : ColorKind.Rgb, 8, usesAlpha);
            }

            ExifProfile? exif = pixels.Metadata.ExifProfile;
            if (orientation > 1)
            {
                pixels.Mutate(x => x.AutoOrient());
            }

            if (exif is not null && exif.GetValue(ExifTag.Orientation) is not null)
            {
                exif.SetValue(ExifTag.Orientation, (ushort)1);
            }

            // ImageSharp 2 keeps a TIFF's profile on the frame and does not read PNG's iCCP chunk.
            IccProfile? icc = pixels.Metadata.IccProfile
                ?? pixels.Frames.RootFrame.Metadata.IccProfile
                ?? (kind == ImageFormatKind.Png && PngIccChunk.TryRead(encoded.Span) is { } profile ? new IccProfile(profile) : null)
                ?? (kind == ImageFormatKind.Webp && WebpContainer.TryReadIcc(encoded) is { } webpProfile ? new IccProfile(webpProfile) : null);

            // A CMYK source is decoded to RGB: its CMYK profile no longer describes the pixels.
            if (icc?.Header.DataColorSpace == IccColorSpaceType.Cmyk)
            {
                icc = null;
                pixels.Metadata.IccProfile = null;
            }

            var description = new ImageDescription(
                pixels.Width,
                pixels.Height,
                kind,
                layout.Color,
                layout.BitDepth,
                layout.HasAlpha,
                icc is not null,
                exif is not null,
                orientation,
                encoded.Length);
            return new DecodedImage(pixels, description, icc, exif);
        }
        catch
        {
            pixels.Dispose();
            throw;
        }
    }

    /// <summary>Reads only the header: format and size. Throws <see cref="InvalidImageException"/>.</summary>
    public static (IImageInfo Info, IImageFormat Format) Identify(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            using var stream = new ReadOnlyMemoryStream(encoded);
            IImageInfo? info = Image.Identify(stream, out IImageFormat? format);
            if (info is null || format is null)
            {
                throw new InvalidImageException($"is not a recognised image (send {SupportedFormats})");
            }

            if (info.Width <= 0 || info.Height <= 0)
            {
                throw new InvalidImageException($"declares an empty size {info.Width}x{info.Height}");
            }

            return (info, format);
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw new InvalidImageException($"is corrupt: {e.Message}", e);
        }
    }

    private static void CheckSize(int width, int height, ImageLimits limits)
    {
        if (width > limits.MaxDimension || height > limits.MaxDimension)
        {
            throw new InvalidImageException(
                $"is {width}x{height}; the largest side accepted is {limits.MaxDimension} pixels");
        }

        long pixels = (long)width * height;
        if (pixels > limits.MaxInputPixels)
        {
            throw new InvalidImageException(
                $"is {width}x{height} = {pixels / 1e6:F1} MP; at most {limits.MaxInputPixels / 1e6:F1} MP is accepted in one request");
        }
    }

    private static bool HasTransparency(Image<Rgba32> image)
    {
        for (int y = 0; y < image.Height; y++)
        {
            foreach (Rgba32 pixel in image.DangerousGetPixelRowMemory(y).Span)
            {
                if (pixel.A != byte.MaxValue)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static int ReadOrientation(ImageMetadata metadata)
    {
        IExifValue<ushort>? value = metadata.ExifProfile?.GetValue(ExifTag.Orientation);
        return value is { Value: >= 1 and <= 8 } ? value.Value : 0;
    }

    private static Image Load(ReadOnlyMemory<byte> encoded, ImageFormatKind kind, bool deep)
    {
        IImageDecoder? firstFrameDecoder = kind switch
        {
            ImageFormatKind.Gif => new GifDecoder { DecodingMode = FrameDecodingMode.First },
            ImageFormatKind.Tiff => new TiffDecoder { DecodingMode = FrameDecodingMode.First },
            _ => null,
        };

        try
        {
            using var stream = new ReadOnlyMemoryStream(encoded);
            Image image = (deep, firstFrameDecoder) switch
            {
                (true, null) => Image.Load<Rgba64>(stream),
                (true, _) => Image.Load<Rgba64>(Configuration.Default, stream, firstFrameDecoder),
                (false, null) => Image.Load<Rgba32>(stream),
                (false, _) => Image.Load<Rgba32>(Configuration.Default, stream, firstFrameDecoder),
            };

            // Some decoders ignore DecodingMode; the pipeline works on the first frame only.
            while (image.Frames.Count > 1)
            {
                image.Frames.RemoveFrame(1);
            }

            return image;
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw new InvalidImageException($"is corrupt: {e.Message}", e);
        }
    }

    /// <summary>
    /// Decoders fed damaged data fail in many ways (ImageSharp's TIFF decoder: InvalidDataException from zlib,
    /// IndexOutOfRange, NullReference, Overflow…). Decoding depends on the bytes alone, so every failure but
    /// cancellation and memory exhaustion is the image's fault: the caller gets INVALID_ARGUMENT, never INTERNAL.
    /// </summary>
    private static bool IsDamage(Exception e) => e is not (InvalidImageException or OperationCanceledException or OutOfMemoryException);

    private static void Guarded(Action check)
    {
        try
        {
            check();
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw new InvalidImageException($"is corrupt: {e.Message}", e);
        }
    }
}
