using System.Buffers;
using System.Numerics;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Tiling;

/// <summary>
/// Writes the core of one model output tile (planar CHW floats) into the output image: the margin is discarded,
/// values are mapped back from the model's range, clamped to [0, 1] and rounded to the pixel type. Alpha is opaque
/// here; the pipeline merges the source alpha afterwards.
/// </summary>
internal static class TileTensorWriter
{
    public static void Write<TPixel>(ReadOnlySpan<float> tensor, TilePlan plan, Tile tile, TensorNormalization normalization, Image<TPixel> output)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        int scale = plan.Scale;
        int tensorWidth = plan.WindowWidth * scale;
        int plane = tensorWidth * plan.WindowHeight * scale;
        PixelRect core = tile.CoreInWindow.Scale(scale);
        PixelRect target = tile.OutputCore(scale);
        int r = normalization.TensorChannel(0);
        int g = normalization.TensorChannel(1);
        int b = normalization.TensorChannel(2);

        Vector4[] rented = ArrayPool<Vector4>.Shared.Rent(core.Width);
        try
        {
            Span<Vector4> row = rented.AsSpan(0, core.Width);
            for (int y = 0; y < core.Height; y++)
            {
                int offset = ((core.Y + y) * tensorWidth) + core.X;
                for (int x = 0; x < core.Width; x++)
                {
                    var value = new Vector4(
                        normalization.FromModel(tensor[(r * plane) + offset + x], r),
                        normalization.FromModel(tensor[(g * plane) + offset + x], g),
                        normalization.FromModel(tensor[(b * plane) + offset + x], b),
                        1f);
                    row[x] = Vector4.Clamp(value, Vector4.Zero, Vector4.One);
                }

                Span<TPixel> destination = output.DangerousGetPixelRowMemory(target.Y + y).Span.Slice(target.X, target.Width);
                PixelOperations<TPixel>.Instance.FromVector4Destructive(
                    output.GetConfiguration(),
                    row,
                    destination,
                    PixelConversionModifiers.Scale);
            }
        }
        finally
        {
            ArrayPool<Vector4>.Shared.Return(rented);
        }
    }
}
