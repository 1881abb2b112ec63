namespace RestoreGrpc.Core.Imaging;

/// <summary>What is known about an encoded image: its size after EXIF orientation, layout and metadata.</summary>
public sealed record ImageDescription(
    int Width,
    int Height,
    ImageFormatKind Format,
    ColorKind Color,
    int BitDepth,
    bool HasAlpha,
    bool HasIccProfile,
    bool HasExif,
    int ExifOrientation,
    long EncodedBytes)
{
    public long Pixels => (long)Width * Height;

    public bool IsGray => Color is ColorKind.Gray or ColorKind.GrayAlpha;
}
