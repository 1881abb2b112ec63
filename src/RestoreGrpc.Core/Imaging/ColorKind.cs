namespace RestoreGrpc.Core.Imaging;

/// <summary>The colour layout of an image as stored in its file.</summary>
public enum ColorKind
{
    Gray,
    GrayAlpha,
    Rgb,
    Rgba,
    Palette,
}
