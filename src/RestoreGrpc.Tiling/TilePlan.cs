namespace RestoreGrpc.Tiling;

/// <summary>
/// The tiles an image is cut into. Every tile has the same window shape (<see cref="WindowWidth"/> ×
/// <see cref="WindowHeight"/>), so tiles batch; the cores partition the image, so every output pixel is written by
/// exactly one tile and no blending is needed.
/// </summary>
public sealed class TilePlan
{
    private readonly AxisPlan _columns;
    private readonly AxisPlan _rows;

    private TilePlan(TilePlanOptions options, AxisPlan columns, AxisPlan rows)
    {
        Options = options;
        _columns = columns;
        _rows = rows;
    }

    public TilePlanOptions Options { get; }

    public int ImageWidth => _columns.Length;

    public int ImageHeight => _rows.Length;

    public int Scale => Options.Scale;

    public int OutputWidth => ImageWidth * Scale;

    public int OutputHeight => ImageHeight * Scale;

    public int WindowWidth => _columns.WindowLength;

    public int WindowHeight => _rows.WindowLength;

    /// <summary>Columns of each window that hold image pixels; the rest is padding on the right.</summary>
    public int ContentWidth => _columns.ContentLength;

    /// <summary>Rows of each window that hold image pixels; the rest is padding at the bottom.</summary>
    public int ContentHeight => _rows.ContentLength;

    public int Columns => _columns.Segments.Count;

    public int Rows => _rows.Segments.Count;

    public int Count => Columns * Rows;

    /// <summary>Input pixels read by all tiles together, padding included: the compute the plan costs.</summary>
    public long WindowPixels => (long)WindowWidth * WindowHeight * Count;

    public static TilePlan Create(int imageWidth, int imageHeight, TilePlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Scale, 1);
        var columns = AxisPlan.Create(imageWidth, options.TileSize, options.Margin, options.PadToFullShape);
        var rows = AxisPlan.Create(imageHeight, options.TileSize, options.Margin, options.PadToFullShape);
        return new TilePlan(options, columns, rows);
    }

    public Tile this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            int row = index / Columns;
            int column = index % Columns;
            AxisSegment x = _columns.Segments[column];
            AxisSegment y = _rows.Segments[row];
            return new Tile(
                index,
                column,
                row,
                new PixelRect(x.WindowStart, y.WindowStart, WindowWidth, WindowHeight),
                new PixelRect(x.CoreStart, y.CoreStart, x.CoreLength, y.CoreLength),
                new PixelRect(x.CoreOffset, y.CoreOffset, x.CoreLength, y.CoreLength));
        }
    }

    public IEnumerable<Tile> Tiles
    {
        get
        {
            for (int i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }
    }
}
