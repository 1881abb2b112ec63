namespace RestoreGrpc.Core.Faces.Alignment;

/// <summary>
/// A 2-D similarity (uniform scale, rotation, translation): <c>x' = a·x − b·y + tx</c>, <c>y' = b·x + a·y + ty</c>.
/// Coordinates are continuous image coordinates: pixel (i, j) covers [i, i+1) × [j, j+1), its centre is (i+½, j+½).
/// </summary>
public readonly record struct SimilarityTransform(double A, double B, double Tx, double Ty)
{
    public static SimilarityTransform Identity => new(1, 0, 0, 0);

    /// <summary>Uniform scale factor.</summary>
    public double Scale => Math.Sqrt((A * A) + (B * B));

    /// <summary>Rotation in radians.</summary>
    public double Rotation => Math.Atan2(B, A);

    public (double X, double Y) Apply(double x, double y) => ((A * x) - (B * y) + Tx, (B * x) + (A * y) + Ty);

    public SimilarityTransform Invert()
    {
        double d = (A * A) + (B * B);
        if (d == 0)
        {
            throw new InvalidOperationException("a zero-scale transform has no inverse");
        }

        double ia = A / d;
        double ib = -B / d;
        return new SimilarityTransform(ia, ib, -((ia * Tx) - (ib * Ty)), -((ib * Tx) + (ia * Ty)));
    }

    /// <summary><c>this ∘ first</c>: apply <paramref name="first"/>, then this.</summary>
    public SimilarityTransform After(SimilarityTransform first)
    {
        (double tx, double ty) = Apply(first.Tx, first.Ty);
        return new SimilarityTransform((A * first.A) - (B * first.B), (B * first.A) + (A * first.B), tx, ty);
    }

    /// <summary>Uniform scaling about the origin (e.g. input to output coordinates of an upscale).</summary>
    public static SimilarityTransform Scaling(double factor) => new(factor, 0, 0, 0);

    /// <summary>
    /// The least-squares similarity mapping <paramref name="source"/> onto <paramref name="target"/> (Umeyama 1991
    /// restricted to proper rotations; in 2-D it has this closed form on the centred points).
    /// </summary>
    public static SimilarityTransform Fit(IReadOnlyList<(double X, double Y)> source, IReadOnlyList<(double X, double Y)> target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Count != target.Count || source.Count < 2)
        {
            throw new ArgumentException("need at least two point pairs, as many sources as targets");
        }

        int n = source.Count;
        double sx = 0, sy = 0, dx = 0, dy = 0;
        for (int i = 0; i < n; i++)
        {
            sx += source[i].X;
            sy += source[i].Y;
            dx += target[i].X;
            dy += target[i].Y;
        }

        sx /= n;
        sy /= n;
        dx /= n;
        dy /= n;

        double dot = 0, cross = 0, norm = 0;
        for (int i = 0; i < n; i++)
        {
            double px = source[i].X - sx, py = source[i].Y - sy;
            double qx = target[i].X - dx, qy = target[i].Y - dy;
            dot += (px * qx) + (py * qy);
            cross += (px * qy) - (py * qx);
            norm += (px * px) + (py * py);
        }

        if (norm == 0)
        {
            throw new ArgumentException("source points coincide");
        }

        double a = dot / norm;
        double b = cross / norm;
        return new SimilarityTransform(a, b, dx - ((a * sx) - (b * sy)), dy - ((b * sx) + (a * sy)));
    }
}
