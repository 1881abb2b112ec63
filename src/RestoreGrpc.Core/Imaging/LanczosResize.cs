using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// The one resampling the server uses wherever it resizes (outscale, alpha, the built-in model): Lanczos-3 on the
/// stored values (no companding), exact target size.
/// </summary>
internal static class LanczosResize
{
    public static ResizeOptions To(int width, int height) => new()
    {
        Size = new Size(width, height),
        Sampler = KnownResamplers.Lanczos3,
        Mode = ResizeMode.Stretch,
        Compand = false,
    };
}
