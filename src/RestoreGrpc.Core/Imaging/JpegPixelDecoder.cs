using System.Buffers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Decodes JPEG pixels through libjpeg-turbo (embedded in Skia): its default decode, integer "islow" IDCT and smooth
/// ("fancy") chroma upsampling, so the pixels are those libjpeg users (PIL, OpenCV, djpeg) get, within one level.
/// CMYK and YCCK come out as RGB by libjpeg-turbo's own CMYK→RGB rule (as djpeg writes them). Only pixels are read
/// here; the header, metadata and size limits are read and checked by <see cref="ImageDecoder"/> before this runs.
/// Truncated or corrupt scans are refused, never filled with grey or black rows.
/// </summary>
internal static class JpegPixelDecoder
{
    private static readonly Configuration Contiguous = CreateConfiguration();

    public static unsafe Image<Rgba32> Decode(ReadOnlyMemory<byte> encoded, int width, int height)
    {
        using MemoryHandle pinned = encoded.Pin();
        using SKData data = SKData.Create((IntPtr)pinned.Pointer, encoded.Length, null)
            ?? throw new InvalidImageException("is corrupt: its JPEG data could not be read");
        using SKCodec codec = SKCodec.Create(data)
            ?? throw new InvalidImageException("is corrupt: the JPEG decoder could not read its header");
        if (codec.Info.Width != width || codec.Info.Height != height)
        {
            throw new InvalidImageException(
                $"is corrupt: its JPEG frame is {codec.Info.Width}x{codec.Info.Height} where the header says {width}x{height}");
        }

        var target = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var image = new Image<Rgba32>(Contiguous, width, height);
        try
        {
            if (!image.DangerousTryGetSinglePixelMemory(out Memory<Rgba32> pixels))
            {
                throw new InvalidOperationException("a contiguous pixel buffer was not granted");
            }

            using MemoryHandle destination = pixels.Pin();
            SKCodecResult result = codec.GetPixels(target, (IntPtr)destination.Pointer, target.RowBytes, new SKCodecOptions(SKZeroInitialized.Yes));
            if (result != SKCodecResult.Success)
            {
                throw new InvalidImageException($"is corrupt: {Describe(result)}");
            }

            return image;
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "its JPEG data ends before the last row (truncated)",
        SKCodecResult.ErrorInInput => "its JPEG data is damaged part-way through",
        SKCodecResult.InvalidInput => "its JPEG data is not valid",
        SKCodecResult.Unimplemented => "it uses a JPEG feature the decoder does not implement",
        var other => $"the JPEG decoder answered {other}",
    };

    private static Configuration CreateConfiguration()
    {
        Configuration configuration = Configuration.Default.Clone();
        configuration.PreferContiguousImageBuffers = true;
        return configuration;
    }
}
