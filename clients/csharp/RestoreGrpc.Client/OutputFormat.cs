namespace RestoreGrpc.Client;

/// <summary>Image container formats the server reads and writes.</summary>
public enum OutputFormat
{
    Png,
    Jpeg,
    Webp,
    Tiff,
    Bmp,
    Gif,
}
