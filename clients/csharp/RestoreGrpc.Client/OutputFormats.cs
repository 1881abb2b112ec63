using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Client;

/// <summary>Conversions between <see cref="OutputFormat"/>, protocol enums and file extensions.</summary>
public static class OutputFormats
{
    public static ImageFormat ToProto(this OutputFormat format) => format switch
    {
        OutputFormat.Png => ImageFormat.Png,
        OutputFormat.Jpeg => ImageFormat.Jpeg,
        OutputFormat.Webp => ImageFormat.Webp,
        OutputFormat.Tiff => ImageFormat.Tiff,
        OutputFormat.Bmp => ImageFormat.Bmp,
        OutputFormat.Gif => ImageFormat.Gif,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>The usual file extension (with dot) for an encoded format.</summary>
    public static string Extension(ImageFormat format) => format switch
    {
        ImageFormat.Png => ".png",
        ImageFormat.Jpeg => ".jpg",
        ImageFormat.Webp => ".webp",
        ImageFormat.Tiff => ".tif",
        ImageFormat.Bmp => ".bmp",
        ImageFormat.Gif => ".gif",
        _ => ".bin",
    };

    /// <summary>Parses a format name or extension ("png", ".jpg", "jpeg", "tiff"…); null when unknown.</summary>
    public static OutputFormat? Parse(string? nameOrExtension) => nameOrExtension?.TrimStart('.').ToUpperInvariant() switch
    {
        "PNG" => OutputFormat.Png,
        "JPG" or "JPEG" => OutputFormat.Jpeg,
        "WEBP" => OutputFormat.Webp,
        "TIF" or "TIFF" => OutputFormat.Tiff,
        "BMP" => OutputFormat.Bmp,
        "GIF" => OutputFormat.Gif,
        _ => null,
    };

    /// <summary>True for file names the server can read, judged by extension.</summary>
    public static bool IsSupportedImagePath(string path) => Parse(Path.GetExtension(path)) is not null;
}
