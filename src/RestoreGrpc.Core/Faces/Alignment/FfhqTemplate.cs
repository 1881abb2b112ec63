namespace RestoreGrpc.Core.Faces.Alignment;

/// <summary>
/// Where the five landmarks sit in an aligned FFHQ-style crop (facexlib / GFPGAN template for 512×512), scaled
/// linearly for other crop sizes. Order: left eye, right eye, nose, left mouth corner, right mouth corner.
/// </summary>
internal static class FfhqTemplate
{
    private static readonly (double X, double Y)[] Points512 =
    [
        (192.98138, 239.94708),
        (318.90277, 240.19360),
        (256.63416, 314.01935),
        (201.26117, 371.41043),
        (313.08905, 371.15118),
    ];

    public static IReadOnlyList<(double X, double Y)> ForSize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 16);
        double k = size / 512.0;
        return Points512.Select(p => (p.X * k, p.Y * k)).ToArray();
    }
}
