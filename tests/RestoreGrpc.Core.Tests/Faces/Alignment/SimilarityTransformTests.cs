using RestoreGrpc.Core.Faces.Alignment;

namespace RestoreGrpc.Core.Tests.Faces.Alignment;

public sealed class SimilarityTransformTests
{
    private static readonly (double X, double Y)[] Face =
    [
        (211.4, 190.2), (268.9, 187.5), (241.0, 226.3), (219.7, 259.8), (265.1, 257.6),
    ];

    [Theory]
    [InlineData(1.7, 0.3, 12.5, -40.25)]
    [InlineData(0.25, -2.9, 300, 7)]
    [InlineData(4, 0, 0, 0)]
    public void A_known_similarity_is_recovered_exactly(double scale, double angle, double tx, double ty)
    {
        var known = new SimilarityTransform(scale * Math.Cos(angle), scale * Math.Sin(angle), tx, ty);
        var moved = Face.Select(p => known.Apply(p.X, p.Y)).ToArray();

        SimilarityTransform fitted = SimilarityTransform.Fit(Face, moved);

        Assert.Equal(known.A, fitted.A, 9);
        Assert.Equal(known.B, fitted.B, 9);
        Assert.Equal(known.Tx, fitted.Tx, 7);
        Assert.Equal(known.Ty, fitted.Ty, 7);
        Assert.Equal(scale, fitted.Scale, 9);
    }

    [Fact]
    public void The_fit_is_the_least_squares_optimum()
    {
        var target = FfhqTemplate.ForSize(512);
        SimilarityTransform best = SimilarityTransform.Fit(Face, target);
        double bestError = SquaredError(best, target);
        Assert.True(bestError > 0, "noisy landmarks cannot fit the template exactly");

        // Every small perturbation of the four parameters fits worse.
        double[] steps = [1e-3, -1e-3];
        foreach (double d in steps)
        {
            Assert.True(SquaredError(best with { A = best.A + d }, target) > bestError);
            Assert.True(SquaredError(best with { B = best.B + d }, target) > bestError);
            Assert.True(SquaredError(best with { Tx = best.Tx + (d * 100) }, target) > bestError);
            Assert.True(SquaredError(best with { Ty = best.Ty + (d * 100) }, target) > bestError);
        }
    }

    [Fact]
    public void Inverse_and_composition_round_trip()
    {
        var t = new SimilarityTransform(1.3, -0.4, 17, 5);
        SimilarityTransform identity = t.Invert().After(t);
        Assert.Equal(1, identity.A, 12);
        Assert.Equal(0, identity.B, 12);
        Assert.Equal(0, identity.Tx, 10);
        Assert.Equal(0, identity.Ty, 10);

        (double x, double y) = t.After(SimilarityTransform.Scaling(4)).Apply(3, 2);
        (double ex, double ey) = t.Apply(12, 8);
        Assert.Equal((ex, ey), (x, y));
    }

    [Fact]
    public void The_template_scales_linearly()
    {
        Assert.Equal(192.98138 / 2, FfhqTemplate.ForSize(256)[0].X, 9);
        Assert.Equal(371.15118 * 2, FfhqTemplate.ForSize(1024)[4].Y, 9);
    }

    private static double SquaredError(SimilarityTransform t, IReadOnlyList<(double X, double Y)> target) =>
        Face.Select((p, i) =>
        {
            (double x, double y) = t.Apply(p.X, p.Y);
            return Math.Pow(x - target[i].X, 2) + Math.Pow(y - target[i].Y, 2);
        }).Sum();
}
