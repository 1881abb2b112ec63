using System.Runtime.InteropServices;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Client.Streaming;

/// <summary>
/// An input decoded by ImageSharp (upright, first frame), held as RGB at 8 bits, or 16 bits when the source has
/// more than 8 bits per sample. Compressed formats must be decoded whole to be read; the decoded input is a quarter
/// of a ×4 output's pixels per axis, and the output is never held here. Alpha is dropped.
/// </summary>
public sealed class ImageTileSource : ITileSource, IDisposable
{
    private readonly Image _image;

    private ImageTileSource(Image image, RawPixelFormat format)
    {
        _image = image;
        Format = format;
    }

    public int Width => _image.Width;

    public int Height => _image.Height;

    public RawPixelFormat Format { get; }

    public static ImageTileSource Load(string path)
    {
        using FileStream file = File.OpenRead(path);
        return Load(file);
    }

    public static ImageTileSource Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using Image decoded = Image.Load(stream);
        decoded.Mutate(x => x.AutoOrient());
        return From(decoded);
    }

    /// <summary>Copies an image already in memory (8-bit RGB unless its pixels have more than 8 bits per sample).</summary>
    public static ImageTileSource From(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        // More than 32 bits per pixel means 16-bit samples (Rgb48, Rgba64); L16 and La32 are 16-bit too.
        bool deep = image.PixelType.BitsPerPixel > 32 || image is Image<L16> || image is Image<La32>;
        return deep
            ? new ImageTileSource(image.CloneAs<Rgb48>(), RawPixelFormat.Rgb48)
            : new ImageTileSource(image.CloneAs<Rgb24>(), RawPixelFormat.Rgb24);
    }

    public void ReadWindow(PixelRect window, Span<byte> destination)
    {
        switch (_image)
        {
            case Image<Rgb24> rgb:
                Copy(rgb, window, destination);
                break;
            case Image<Rgb48> deep:
                Copy(deep, window, destination);
                break;
        }
    }

    public void Dispose() => _image.Dispose();

    private static void Copy<TPixel>(Image<TPixel> image, PixelRect window, Span<byte> destination)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        int rowBytes = window.Width * Marshal.SizeOf<TPixel>();
        for (int y = 0; y < window.Height; y++)
        {
            ReadOnlySpan<TPixel> row = image.DangerousGetPixelRowMemory(window.Y + y).Span.Slice(window.X, window.Width);
            MemoryMarshal.AsBytes(row).CopyTo(destination.Slice(y * rowBytes, rowBytes));
        }
    }
}
