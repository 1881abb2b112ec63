using RestoreGrpc.Core.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Faces.Detection;

/// <summary>
/// A detector's input: the image, downscaled when its longer side exceeds the limit, as a planar BGR float tensor
/// [1, 3, H, W] in 0..255 minus a per-channel mean, optionally zero-padded at the right and bottom to a multiple of
/// some size. The buffer is pooled; dispose to return it. Padding sits after the content, so it shifts no
/// coordinate: a point in tensor pixels maps to the original image by <see cref="ScaleX"/> and <see cref="ScaleY"/>.
/// </summary>
internal sealed class DetectionTensor : IDisposable
{
    private float[]? _buffer;

    private DetectionTensor(float[] buffer, int width, int height, double scaleX, double scaleY)
    {
        _buffer = buffer;
        Width = width;
        Height = height;
        ScaleX = scaleX;
        ScaleY = scaleY;
    }

    /// <summary>Tensor width, padding included.</summary>
    public int Width { get; }

    /// <summary>Tensor height, padding included.</summary>
    public int Height { get; }

    /// <summary>Original image pixels per tensor pixel, horizontally (1 when not downscaled).</summary>
    public double ScaleX { get; }

    /// <summary>Original image pixels per tensor pixel, vertically.</summary>
    public double ScaleY { get; }

    public long[] Shape => [1, 3, Height, Width];

    public Memory<float> Data => (_buffer ?? throw new ObjectDisposedException(nameof(DetectionTensor))).AsMemory(0, 3 * Width * Height);

    /// <param name="image">The source image; not modified.</param>
    /// <param name="maxInputSide">Longest side the detector sees; larger images are downscaled.</param>
    /// <param name="padMultiple">Tensor width and height are rounded up to a multiple of this (1 for none).</param>
    /// <param name="meanB">Subtracted from the blue plane (0..255 scale).</param>
    /// <param name="meanG">Subtracted from the green plane.</param>
    /// <param name="meanR">Subtracted from the red plane.</param>
    public static DetectionTensor Create(Image<Rgb24> image, int maxInputSide, int padMultiple, float meanB, float meanG, float meanR)
    {
        int longer = Math.Max(image.Width, image.Height);
        Image<Rgb24>? resized = null;
        try
        {
            if (longer > maxInputSide)
            {
                double factor = maxInputSide / (double)longer;
                int width = Math.Clamp((int)Math.Round(image.Width * factor), 1, maxInputSide);
                int height = Math.Clamp((int)Math.Round(image.Height * factor), 1, maxInputSide);
                resized = image.Clone(context => context.Resize(new ResizeOptions
                {
                    Size = new Size(width, height),
                    Mode = ResizeMode.Stretch,
                    Sampler = KnownResamplers.Bicubic,
                }));
            }

            Image<Rgb24> source = resized ?? image;
            int contentWidth = source.Width;
            int contentHeight = source.Height;
            int tensorWidth = RoundUp(contentWidth, padMultiple);
            int tensorHeight = RoundUp(contentHeight, padMultiple);
            int plane = tensorWidth * tensorHeight;
            float[] buffer = TensorBuffers.Pool.Rent(3 * plane);
            try
            {
                Span<float> tensor = buffer.AsSpan(0, 3 * plane);
                if (tensorWidth != contentWidth || tensorHeight != contentHeight)
                {
                    tensor.Clear();
                }

                Span<float> blue = tensor[..plane];
                Span<float> green = tensor.Slice(plane, plane);
                Span<float> red = tensor.Slice(2 * plane, plane);
                for (int y = 0; y < contentHeight; y++)
                {
                    Span<Rgb24> row = source.DangerousGetPixelRowMemory(y).Span;
                    int offset = y * tensorWidth;
                    for (int x = 0; x < contentWidth; x++)
                    {
                        Rgb24 pixel = row[x];
                        blue[offset + x] = pixel.B - meanB;
                        green[offset + x] = pixel.G - meanG;
                        red[offset + x] = pixel.R - meanR;
                    }
                }

                return new DetectionTensor(
                    buffer,
                    tensorWidth,
                    tensorHeight,
                    image.Width / (double)contentWidth,
                    image.Height / (double)contentHeight);
            }
            catch
            {
                TensorBuffers.Pool.Return(buffer);
                throw;
            }
        }
        finally
        {
            resized?.Dispose();
        }
    }

    /// <summary>Maps a box from tensor pixels to original image pixels.</summary>
    public FaceBox ToImage(float x, float y, float width, float height) =>
        new((float)(x * ScaleX), (float)(y * ScaleY), (float)(width * ScaleX), (float)(height * ScaleY));

    /// <summary>Maps a point from tensor pixels to original image pixels.</summary>
    public LandmarkPoint ToImage(float x, float y) => new((float)(x * ScaleX), (float)(y * ScaleY));

    public void Dispose()
    {
        float[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            TensorBuffers.Pool.Return(buffer);
        }
    }

    private static int RoundUp(int value, int multiple) => multiple <= 1 ? value : (value + multiple - 1) / multiple * multiple;
}
