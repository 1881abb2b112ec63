using System.Buffers;
using System.Numerics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Alpha is not restored by the model (it sees RGB only): the source alpha is resampled to the output size with
/// Lanczos-3 and written into the restored image.
/// </summary>
internal static class AlphaChannel
{
    public static void Transfer<TPixel>(Image<TPixel> source, Image<TPixel> restored)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using Image<L16> alpha = Extract(source);
        alpha.Mutate(x => x.Resize(LanczosResize.To(restored.Width, restored.Height)));

        Vector4[] rented = ArrayPool<Vector4>.Shared.Rent(restored.Width);
        try
        {
            Span<Vector4> row = rented.AsSpan(0, restored.Width);
            for (int y = 0; y < restored.Height; y++)
            {
                Span<TPixel> pixels = restored.DangerousGetPixelRowMemory(y).Span;
                Span<L16> alphaRow = alpha.DangerousGetPixelRowMemory(y).Span;
                PixelOperations<TPixel>.Instance.ToVector4(restored.GetConfiguration(), pixels, row, PixelConversionModifiers.Scale);
                for (int x = 0; x < row.Length; x++)
                {
                    row[x].W = alphaRow[x].PackedValue / 65535f;
                }

                PixelOperations<TPixel>.Instance.FromVector4Destructive(restored.GetConfiguration(), row, pixels, PixelConversionModifiers.Scale);
            }
        }
        finally
        {
            ArrayPool<Vector4>.Shared.Return(rented);
        }
    }

    private static Image<L16> Extract<TPixel>(Image<TPixel> source)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        var alpha = new Image<L16>(source.Width, source.Height);
        Vector4[] rented = ArrayPool<Vector4>.Shared.Rent(source.Width);
        try
        {
            Span<Vector4> row = rented.AsSpan(0, source.Width);
            for (int y = 0; y < source.Height; y++)
            {
                PixelOperations<TPixel>.Instance.ToVector4(source.GetConfiguration(), source.DangerousGetPixelRowMemory(y).Span, row, PixelConversionModifiers.Scale);
                Span<L16> alphaRow = alpha.DangerousGetPixelRowMemory(y).Span;
                for (int x = 0; x < row.Length; x++)
                {
                    alphaRow[x] = new L16((ushort)MathF.Round(Math.Clamp(row[x].W, 0f, 1f) * 65535f));
                }
            }

            return alpha;
        }
        catch
        {
            alpha.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<Vector4>.Shared.Return(rented);
        }
    }
}
