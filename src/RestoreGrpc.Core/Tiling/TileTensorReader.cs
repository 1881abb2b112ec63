using System.Buffers;
using System.Numerics;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Tiling;

/// <summary>
/// Copies one tile window out of an image into a planar (CHW) float tensor in the model's normalisation. Window
/// pixels outside the image (plans that pad to a fixed shape) are filled by reflection.
/// </summary>
internal static class TileTensorReader
{
    public static void Read<TPixel>(Image<TPixel> image, TilePlan plan, Tile tile, TensorNormalization normalization, Span<float> tensor)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        int width = plan.WindowWidth;
        int height = plan.WindowHeight;
        int plane = width * height;
        int r = normalization.TensorChannel(0) * plane;
        int g = normalization.TensorChannel(1) * plane;
        int b = normalization.TensorChannel(2) * plane;

        Vector4[] rented = ArrayPool<Vector4>.Shared.Rent(image.Width);
        try
        {
            Span<Vector4> row = rented.AsSpan(0, image.Width);
            for (int y = 0; y < height; y++)
            {
                int sourceY = ReflectPadding.Map(tile.Window.Y + y, image.Height);
                PixelOperations<TPixel>.Instance.ToVector4(
                    image.GetConfiguration(),
                    image.DangerousGetPixelRowMemory(sourceY).Span,
                    row,
                    PixelConversionModifiers.Scale);
                int offset = y * width;
                for (int x = 0; x < width; x++)
                {
                    Vector4 pixel = row[ReflectPadding.Map(tile.Window.X + x, image.Width)];
                    tensor[r + offset + x] = normalization.ToModel(pixel.X, r / plane);
                    tensor[g + offset + x] = normalization.ToModel(pixel.Y, g / plane);
                    tensor[b + offset + x] = normalization.ToModel(pixel.Z, b / plane);
                }
            }
        }
        finally
        {
            ArrayPool<Vector4>.Shared.Return(rented);
        }
    }
}
