using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.TestSupport;

/// <summary>Largest per-channel difference between two images, in 8-bit levels, and where it is.</summary>
public readonly record struct PixelDifference(int MaxLevels, int X, int Y, long DifferingSamples)
{
    public static PixelDifference Between(Image<Rgb24> a, Image<Rgb24> b)
    {
        if (a.Width != b.Width || a.Height != b.Height)
        {
            throw new ArgumentException($"sizes differ: {a.Width}x{a.Height} vs {b.Width}x{b.Height}");
        }

        int max = 0;
        int mx = 0;
        int my = 0;
        long differing = 0;
        for (int y = 0; y < a.Height; y++)
        {
            Span<Rgb24> ra = a.DangerousGetPixelRowMemory(y).Span;
            Span<Rgb24> rb = b.DangerousGetPixelRowMemory(y).Span;
            for (int x = 0; x < a.Width; x++)
            {
                int d = Math.Max(Math.Abs(ra[x].R - rb[x].R), Math.Max(Math.Abs(ra[x].G - rb[x].G), Math.Abs(ra[x].B - rb[x].B)));
                if (d > 0)
                {
                    differing++;
                }

                if (d > max)
                {
                    (max, mx, my) = (d, x, y);
                }
            }
        }

        return new PixelDifference(max, mx, my, differing);
    }

    public override string ToString() => $"max {MaxLevels} levels at ({X},{Y}); {DifferingSamples} pixels differ";
}
