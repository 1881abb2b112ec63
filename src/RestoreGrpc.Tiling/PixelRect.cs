namespace RestoreGrpc.Tiling;

/// <summary>An axis-aligned rectangle of pixels; <see cref="Right"/> and <see cref="Bottom"/> are exclusive.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;

    public int Bottom => Y + Height;

    public long Area => (long)Width * Height;

    /// <summary>The same rectangle in a space <paramref name="factor"/> times larger (input to model output).</summary>
    public PixelRect Scale(int factor) => new(X * factor, Y * factor, Width * factor, Height * factor);

    public bool Contains(PixelRect other) =>
        other.X >= X && other.Y >= Y && other.Right <= Right && other.Bottom <= Bottom;

    public override string ToString() => $"({X},{Y} {Width}x{Height})";
}
