namespace RestoreGrpc.Core.Faces.Detection;

/// <summary>One detected face, in the coordinates of the image passed to <see cref="IFaceDetector.Detect"/>.</summary>
/// <param name="Box">The face rectangle.</param>
/// <param name="Score">Detector confidence in [0, 1].</param>
/// <param name="Landmarks">
/// Five points, in this order: left eye (the eye on the image's left), right eye, nose tip, left mouth corner,
/// right mouth corner.
/// </param>
/// <remarks>Equality compares the landmarks point by point, not the list instances.</remarks>
public sealed record DetectedFace(FaceBox Box, float Score, IReadOnlyList<LandmarkPoint> Landmarks)
{
    /// <summary>The number of landmarks every detection carries.</summary>
    public const int LandmarkCount = 5;

    public bool Equals(DetectedFace? other) =>
        other is not null
        && Box == other.Box
        && Score.Equals(other.Score)
        && (ReferenceEquals(Landmarks, other.Landmarks) || Landmarks.SequenceEqual(other.Landmarks));

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Box);
        hash.Add(Score);
        foreach (LandmarkPoint point in Landmarks)
        {
            hash.Add(point);
        }

        return hash.ToHashCode();
    }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Box = {Box}, Score = {Score}, Landmarks = [{string.Join(", ", Landmarks)}]");
        return true;
    }
}
