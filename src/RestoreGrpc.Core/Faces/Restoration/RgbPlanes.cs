using System.Buffers;
using System.Numerics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Faces.Restoration;

/// <summary>
/// A rectangle of an image as planar float RGB in [0, 1], placed at <see cref="OriginX"/>, <see cref="OriginY"/>
/// of its image so that sampling takes image coordinates. Bilinear sampling replicates the edge pixels.
/// </summary>
internal sealed class RgbPlanes
{
    public RgbPlanes(int originX, int originY, int width, int height)
    {
        OriginX = originX;
        OriginY = originY;
        Width = width;
        Height = height;
        R = new float[width * height];
        G = new float[width * height];
        B = new float[width * height];
    }

    public int OriginX { get; }

    public int OriginY { get; }

    public int Width { get; }

    public int Height { get; }

    public float[] R { get; }

    public float[] G { get; }

    public float[] B { get; }

    public static RgbPlanes Read<TPixel>(Image<TPixel> image, Rectangle region)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        var planes = new RgbPlanes(region.X, region.Y, region.Width, region.Height);
        Vector4[] row = ArrayPool<Vector4>.Shared.Rent(region.Width);
        try
        {
            for (int y = 0; y < region.Height; y++)
            {
                Span<Vector4> span = row.AsSpan(0, region.Width);
                PixelOperations<TPixel>.Instance.ToVector4(
                    image.GetConfiguration(),
                    image.DangerousGetPixelRowMemory(region.Y + y).Span.Slice(region.X, region.Width),
                    span,
                    PixelConversionModifiers.Scale);
                int offset = y * region.Width;
                for (int x = 0; x < span.Length; x++)
                {
                    planes.R[offset + x] = span[x].X;
                    planes.G[offset + x] = span[x].Y;
                    planes.B[offset + x] = span[x].Z;
                }
            }
        }
        finally
        {
            ArrayPool<Vector4>.Shared.Return(row);
        }

        return planes;
    }

    /// <summary>Writes the planes back into the image, keeping its alpha.</summary>
    public void Write<TPixel>(Image<TPixel> image)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        Vector4[] row = ArrayPool<Vector4>.Shared.Rent(Width);
        try
        {
            for (int y = 0; y < Height; y++)
            {
                Span<Vector4> span = row.AsSpan(0, Width);
                Span<TPixel> pixels = image.DangerousGetPixelRowMemory(OriginY + y).Span.Slice(OriginX, Width);
                PixelOperations<TPixel>.Instance.ToVector4(image.GetConfiguration(), pixels, span, PixelConversionModifiers.Scale);
                int offset = y * Width;
                for (int x = 0; x < span.Length; x++)
                {
                    span[x] = Vector4.Clamp(new Vector4(R[offset + x], G[offset + x], B[offset + x], span[x].W), Vector4.Zero, Vector4.One);
                }

                PixelOperations<TPixel>.Instance.FromVector4Destructive(image.GetConfiguration(), span, pixels, PixelConversionModifiers.Scale);
            }
        }
        finally
        {
            ArrayPool<Vector4>.Shared.Return(row);
        }
    }

    /// <summary>Bilinear sample at continuous image coordinates (pixel centres at i + ½), edges replicated.</summary>
    public Vector3 Sample(double x, double y)
    {
        double u = x - OriginX - 0.5;
        double v = y - OriginY - 0.5;
        int x0 = (int)Math.Floor(u);
        int y0 = (int)Math.Floor(v);
        float fx = (float)(u - x0);
        float fy = (float)(v - y0);
        int xa = Math.Clamp(x0, 0, Width - 1);
        int xb = Math.Clamp(x0 + 1, 0, Width - 1);
        int ya = Math.Clamp(y0, 0, Height - 1);
        int yb = Math.Clamp(y0 + 1, 0, Height - 1);
        int i00 = (ya * Width) + xa, i01 = (ya * Width) + xb, i10 = (yb * Width) + xa, i11 = (yb * Width) + xb;
        float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
        return new Vector3(
            (R[i00] * w00) + (R[i01] * w01) + (R[i10] * w10) + (R[i11] * w11),
            (G[i00] * w00) + (G[i01] * w01) + (G[i10] * w10) + (G[i11] * w11),
            (B[i00] * w00) + (B[i01] * w01) + (B[i10] * w10) + (B[i11] * w11));
    }

    public Vector3 this[int x, int y]
    {
        get
        {
            int i = (y * Width) + x;
            return new Vector3(R[i], G[i], B[i]);
        }

        set
        {
            int i = (y * Width) + x;
            (R[i], G[i], B[i]) = (value.X, value.Y, value.Z);
        }
    }
}
