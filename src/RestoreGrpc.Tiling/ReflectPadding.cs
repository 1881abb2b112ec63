namespace RestoreGrpc.Tiling;

/// <summary>
/// Reflect padding ("reflect-101", as numpy's <c>reflect</c> and PyTorch's <c>ReflectionPad2d</c>): the edge pixel
/// is not repeated. Indices far outside the image keep reflecting back and forth, so any padding length works,
/// even on a one-pixel-wide image.
/// </summary>
public static class ReflectPadding
{
    /// <summary>Maps any index onto <c>[0, length)</c> by reflection.</summary>
    public static int Map(int index, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (length == 1)
        {
            return 0;
        }

        int period = 2 * (length - 1);
        int m = index % period;
        if (m < 0)
        {
            m += period;
        }

        return m < length ? m : period - m;
    }
}
