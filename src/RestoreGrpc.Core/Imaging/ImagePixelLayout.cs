using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;

namespace RestoreGrpc.Core.Imaging;

/// <summary>Colour layout and bit depth of an encoded image, read from its header.</summary>
internal readonly record struct ImagePixelLayout(ColorKind Color, int BitDepth, bool HasAlpha)
{
    public static ImagePixelLayout Detect(ImageFormatKind format, IImageInfo info)
    {
        int bpp = info.PixelType.BitsPerPixel;
        switch (format)
        {
            case ImageFormatKind.Png:
                PngMetadata png = info.Metadata.GetPngMetadata();
                int depth = png.BitDepth is { } d ? (int)d : 8;
                return png.ColorType switch
                {
                    PngColorType.Grayscale => new(png.HasTransparency ? ColorKind.GrayAlpha : ColorKind.Gray, depth, png.HasTransparency),
                    PngColorType.GrayscaleWithAlpha => new(ColorKind.GrayAlpha, depth, true),
                    PngColorType.Palette => new(png.HasTransparency ? ColorKind.Rgba : ColorKind.Palette, 8, png.HasTransparency),
                    PngColorType.RgbWithAlpha => new(ColorKind.Rgba, depth, true),
                    _ => new(png.HasTransparency ? ColorKind.Rgba : ColorKind.Rgb, depth, png.HasTransparency),
                };
            case ImageFormatKind.Jpeg:
                return info.Metadata.GetJpegMetadata().ColorType == JpegColorType.Luminance
                    ? new(ColorKind.Gray, 8, false)
                    : new(ColorKind.Rgb, 8, false);
            case ImageFormatKind.Gif:
                // Transparency of a GIF frame is known only after decoding; see ImageDecoder.
                return new(ColorKind.Palette, 8, false);
            case ImageFormatKind.Bmp when bpp <= 8:
                return new(ColorKind.Palette, 8, false);
            default:
                // TIFF, BMP, WebP: the decoder's pixel type tells the layout.
                return bpp switch
                {
                    <= 8 => new(ColorKind.Gray, 8, false),
                    16 => new(ColorKind.Gray, 16, false),
                    32 => new(ColorKind.Rgba, 8, true),
                    48 => new(ColorKind.Rgb, 16, false),
                    64 => new(ColorKind.Rgba, 16, true),
                    _ => new(ColorKind.Rgb, 8, false),
                };
        }
    }
}
