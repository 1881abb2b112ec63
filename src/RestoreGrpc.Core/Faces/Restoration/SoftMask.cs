namespace RestoreGrpc.Core.Faces.Restoration;

/// <summary>
/// The paste-back weight over an aligned crop: a box eroded by three blur radii, then Gaussian-feathered, so the
/// weight is ~0 along the crop's edges (no box edge can show) and 1 over the face.
/// </summary>
internal static class SoftMask
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, float[]> Cache = new();

    /// <summary>Feather sigma as a fraction of the crop size (12.8 px for 512).</summary>
    public const double SigmaFraction = 1.0 / 40;

    /// <summary>The size×size mask (shared; do not modify).</summary>
    public static float[] ForSize(int size) => Cache.GetOrAdd(size, Create);

    /// <summary>Bilinear sample at continuous crop coordinates; 0 outside the crop.</summary>
    public static float Sample(float[] mask, int size, double x, double y)
    {
        double u = x - 0.5, v = y - 0.5;
        if (u < 0 || v < 0 || u > size - 1 || v > size - 1)
        {
            return 0;
        }

        int x0 = Math.Min((int)u, size - 2), y0 = Math.Min((int)v, size - 2);
        float fx = (float)(u - x0), fy = (float)(v - y0);
        int i = (y0 * size) + x0;
        return (mask[i] * (1 - fx) * (1 - fy)) + (mask[i + 1] * fx * (1 - fy)) + (mask[i + size] * (1 - fx) * fy) + (mask[i + size + 1] * fx * fy);
    }

    private static float[] Create(int size)
    {
        double sigma = size * SigmaFraction;
        int erode = (int)Math.Ceiling(3 * sigma) + 1;
        float[] mask = new float[size * size];
        for (int y = erode; y < size - erode; y++)
        {
            Array.Fill(mask, 1f, (y * size) + erode, size - (2 * erode));
        }

        GaussianBlur.Apply(mask, size, size, sigma);
        return mask;
    }
}
