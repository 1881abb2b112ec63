namespace RestoreGrpc.Tiling;

/// <summary>
/// Cuts one image axis into tiles. Cores partition the axis (each pixel owned exactly once, sizes differ by at most
/// one); every window has the same length and lies inside the image, shifted inwards at the image ends, so a
/// tile sees either <c>margin</c> pixels of real context or the true image border, exactly as a whole-image
/// inference does. Only an axis shorter than one window is padded, and only when the plan asks for a fixed shape.
/// </summary>
public sealed class AxisPlan
{
    private AxisPlan(int length, int windowLength, int contentLength, IReadOnlyList<AxisSegment> segments)
    {
        Length = length;
        WindowLength = windowLength;
        ContentLength = contentLength;
        Segments = segments;
    }

    /// <summary>Image length along this axis.</summary>
    public int Length { get; }

    /// <summary>Length every tile window has along this axis (the tensor dimension).</summary>
    public int WindowLength { get; }

    /// <summary>Pixels of each window that come from the image; the rest (<see cref="PadLength"/>) is reflect padding.</summary>
    public int ContentLength { get; }

    public int PadLength => WindowLength - ContentLength;

    public IReadOnlyList<AxisSegment> Segments { get; }

    /// <param name="length">Image length along the axis (≥ 1).</param>
    /// <param name="tileSize">Largest core length (≥ 1).</param>
    /// <param name="margin">Context on each side of a core (≥ 0).</param>
    /// <param name="padToFullShape">Pad an axis shorter than one window up to <c>tileSize + 2·margin</c>.</param>
    public static AxisPlan Create(int length, int tileSize, int margin, bool padToFullShape)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(margin);

        int fullWindow = checked(tileSize + (2 * margin));
        if (length <= fullWindow)
        {
            // One window covers the whole axis: no seams at all.
            int window = padToFullShape ? fullWindow : length;
            return new AxisPlan(length, window, length, [new AxisSegment(0, 0, length)]);
        }

        int count = (length + tileSize - 1) / tileSize;
        var segments = new AxisSegment[count];
        for (int i = 0; i < count; i++)
        {
            int coreStart = (int)((long)i * length / count);
            int coreEnd = (int)((long)(i + 1) * length / count);
            int windowStart = Math.Clamp(coreStart - margin, 0, length - fullWindow);
            segments[i] = new AxisSegment(windowStart, coreStart, coreEnd - coreStart);
        }

        return new AxisPlan(length, fullWindow, fullWindow, segments);
    }
}
