using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;

namespace RestoreGrpc.Core.Imaging;

/// <summary>Maps ImageSharp's format objects to <see cref="ImageFormatKind"/>.</summary>
internal static class FormatKinds
{
    public static ImageFormatKind? FromImageSharp(IImageFormat format) => format switch
    {
        PngFormat => ImageFormatKind.Png,
        JpegFormat => ImageFormatKind.Jpeg,
        WebpFormat => ImageFormatKind.Webp,
        TiffFormat => ImageFormatKind.Tiff,
        BmpFormat => ImageFormatKind.Bmp,
        GifFormat => ImageFormatKind.Gif,
        _ => null,
    };
}
