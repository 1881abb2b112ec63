namespace RestoreGrpc.Core.Imaging;

/// <summary>How a restored image is encoded. Null values follow the input.</summary>
/// <param name="Format">Output container; null keeps the input's format.</param>
/// <param name="Quality">JPEG / WebP quality 1..100; null for <see cref="DefaultQuality"/>.</param>
/// <param name="StripMetadata">Drop the ICC profile and EXIF.</param>
public sealed record EncodeSettings(ImageFormatKind? Format = null, int? Quality = null, bool StripMetadata = false)
{
    public const int DefaultQuality = 95;
}
