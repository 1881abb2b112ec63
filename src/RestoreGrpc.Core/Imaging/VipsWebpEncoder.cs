using NetVips;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Lossy WebP through the libwebp inside libvips (NetVips), which, unlike Skia, lets the encoder's effort (libwebp's
/// <c>method</c>) be chosen: at <see cref="Effort"/> a photo encodes 1.6–3.2× faster than at Skia's fixed method 3,
/// at q90 with the same PSNR and 10–13 % more bytes (<c>WebpEncodeBenchmark</c>). libvips' operation cache is switched off, so it
/// keeps no pixels between requests. Unavailable (natives missing: only linux-x64 ships them) means callers use Skia.
/// </summary>
internal static class VipsWebpEncoder
{
    /// <summary>libwebp's method for lossy output: 0 fastest .. 6 smallest (libwebp's default is 4, Skia's 3).</summary>
    public const int Effort = 1;

    private static readonly Lazy<bool> Available = new(Initialize);

    /// <summary>Whether libvips loaded and initialised.</summary>
    public static bool IsAvailable => Available.Value;

    /// <summary>Encodes 8-bit interleaved RGB (3 bands) or RGBA (4 bands) pixels, tightly packed, as lossy WebP with no
    /// metadata (the caller adds ICC and EXIF in the container).</summary>
    public static unsafe byte[] EncodeLossy(ReadOnlySpan<byte> pixels, int width, int height, int bands, int quality, int effort = Effort)
    {
        if (pixels.Length != checked(width * height * bands))
        {
            throw new ArgumentException($"{pixels.Length} bytes are not {width}x{height}x{bands}", nameof(pixels));
        }

        fixed (byte* address = pixels)
        {
            // The image reads the caller's memory in place (no copy); it is disposed before the memory is unpinned.
            using var image = Image.NewFromMemory((IntPtr)address, (ulong)pixels.Length, width, height, bands, Enums.BandFormat.Uchar);
            return image.WebpsaveBuffer(q: quality, lossless: false, effort: effort, keep: Enums.ForeignKeep.None);
        }
    }

    private static bool Initialize()
    {
        try
        {
            if (!ModuleInitializer.VipsInitialized)
            {
                return false;
            }

            Cache.Max = 0;
            Cache.MaxMem = 0;
            Cache.MaxFiles = 0;
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }
}
