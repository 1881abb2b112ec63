using System.Runtime.InteropServices;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Client.Streaming;

/// <summary>Assembles the output in memory (RGB, 8 or 16 bits): for outputs that fit. Larger ones go to a
/// <see cref="TiffTileSink"/>.</summary>
public sealed class ImageTileSink : ITileSink, IDisposable
{
    private Image? _image;

    /// <summary>The assembled output; the sink keeps ownership until <see cref="DetachImage"/>.</summary>
    public Image Image => _image ?? throw new InvalidOperationException("no tile has been streamed yet");

    public void Start(int width, int height, RawPixelFormat format)
    {
        _image?.Dispose();
        _image = format.BitDepth > 8 ? new Image<Rgb48>(width, height) : new Image<Rgb24>(width, height);
    }

    public void Write(PixelRect rect, ReadOnlySpan<byte> pixels)
    {
        switch (_image)
        {
            case Image<Rgb24> rgb:
                Paste(rgb, rect, pixels);
                break;
            case Image<Rgb48> deep:
                Paste(deep, rect, pixels);
                break;
            default:
                throw new InvalidOperationException("Start was not called");
        }
    }

    public void Complete()
    {
    }

    /// <summary>Hands the image to the caller, who disposes it.</summary>
    public Image DetachImage()
    {
        Image image = Image;
        _image = null;
        return image;
    }

    public void Dispose() => _image?.Dispose();

    private static void Paste<TPixel>(Image<TPixel> image, PixelRect rect, ReadOnlySpan<byte> pixels)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        ReadOnlySpan<TPixel> source = MemoryMarshal.Cast<byte, TPixel>(pixels);
        for (int y = 0; y < rect.Height; y++)
        {
            source.Slice(y * rect.Width, rect.Width).CopyTo(image.DangerousGetPixelRowMemory(rect.Y + y).Span.Slice(rect.X, rect.Width));
        }
    }
}
