namespace RestoreGrpc.Core.Imaging;

/// <summary>Encoded image container formats the server reads and writes.</summary>
public enum ImageFormatKind
{
    Png,
    Jpeg,
    Webp,
    Tiff,
    Bmp,
    Gif,
}
