namespace RestoreGrpc.Core.Faces.Detection;

/// <summary>
/// An axis-aligned face rectangle in image pixel coordinates: top-left corner (<see cref="X"/>, <see cref="Y"/>)
/// and size. A face cut by the image border may have a box that extends past the edges.
/// </summary>
public readonly record struct FaceBox(float X, float Y, float Width, float Height)
{
    public float Right => X + Width;

    public float Bottom => Y + Height;

    public float Area => Math.Max(0f, Width) * Math.Max(0f, Height);

    /// <summary>Whether the point lies inside the box (edges included).</summary>
    public bool Contains(LandmarkPoint point) => point.X >= X && point.X <= Right && point.Y >= Y && point.Y <= Bottom;

    /// <summary>Intersection over union with another box, in [0, 1]; 0 when either box is empty.</summary>
    public float IntersectionOverUnion(FaceBox other)
    {
        float width = Math.Min(Right, other.Right) - Math.Max(X, other.X);
        float height = Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y);
        if (width <= 0f || height <= 0f)
        {
            return 0f;
        }

        float intersection = width * height;
        float union = Area + other.Area - intersection;
        return union > 0f ? intersection / union : 0f;
    }
}
