namespace RestoreGrpc.Core.Imaging;

/// <summary>How a restored image is encoded. Null values follow the input.</summary>
/// <param name="Format">Output container; null keeps the input's format.</param>
/// <param name="Quality">JPEG / WebP quality 1..100; null for <see cref="DefaultQuality"/>.</param>
/// <param name="StripMetadata">Drop the ICC profile and EXIF.</param>
/// <param name="PngCompressionLevel">zlib level 1..9 for PNG; null for <see cref="DefaultPngCompressionLevel"/>.</param>
/// <param name="Lossless">
/// WebP only: lossless (VP8L). Otherwise WebP is lossy at <paramref name="Quality"/>, whatever the input's format.
/// PNG, TIFF, BMP and GIF are always lossless; JPEG never is.
/// </param>
/// <param name="Background">
/// Colour that transparent pixels are composited over when the output format has no alpha (JPEG); null for white.
/// </param>
public sealed record EncodeSettings(
    ImageFormatKind? Format = null,
    int? Quality = null,
    bool StripMetadata = false,
    int? PngCompressionLevel = null,
    bool Lossless = false,
    SixLabors.ImageSharp.PixelFormats.Rgb24? Background = null)
{
    public const int DefaultQuality = 95;

    /// <summary>
    /// zlib level 2: 8-bit RGB(A) goes through the runtime's zlib-ng (1024² photo: 27 ms, 1.39 MB; level 1 is zlib-ng's
    /// much weaker fast mode, 1.95 MB); other layouts through ImageSharp (Paeth filter). The encode is otherwise the largest per-request cost after inference.
    /// </summary>
    public const int DefaultPngCompressionLevel = 2;
}
