using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.Metadata.Profiles.Icc;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// A decoded, upright image. <see cref="Pixels"/> is an <c>Image&lt;Rgba32&gt;</c> for 8-bit sources and an
/// <c>Image&lt;Rgba64&gt;</c> for deeper ones, so 16-bit precision survives the pipeline.
/// </summary>
internal sealed class DecodedImage : IDisposable
{
    public DecodedImage(Image pixels, ImageDescription description, IccProfile? iccProfile, ExifProfile? exifProfile)
    {
        Pixels = pixels;
        Description = description;
        IccProfile = iccProfile;
        ExifProfile = exifProfile;
    }

    public Image Pixels { get; }

    public ImageDescription Description { get; }

    public IccProfile? IccProfile { get; }

    /// <summary>EXIF with the orientation already reset to 1 (the pixels are upright).</summary>
    public ExifProfile? ExifProfile { get; }

    public void Dispose() => Pixels.Dispose();
}
