namespace RestoreGrpc.Core.Faces.Detection;

/// <summary>Greedy non-maximum suppression by box intersection over union.</summary>
internal static class NonMaximumSuppression
{
    /// <summary>
    /// Keeps the best-scoring detection, drops every remaining one that overlaps it by more than
    /// <paramref name="iouThreshold"/>, and repeats. The result is sorted by score, best first (ties keep input order).
    /// </summary>
    public static List<DetectedFace> Apply(IEnumerable<DetectedFace> candidates, float iouThreshold)
    {
        DetectedFace[] ordered = [.. candidates.OrderByDescending(static face => face.Score)];
        var kept = new List<DetectedFace>();
        foreach (DetectedFace candidate in ordered)
        {
            bool suppressed = false;
            foreach (DetectedFace better in kept)
            {
                if (candidate.Box.IntersectionOverUnion(better.Box) > iouThreshold)
                {
                    suppressed = true;
                    break;
                }
            }

            if (!suppressed)
            {
                kept.Add(candidate);
            }
        }

        return kept;
    }
}
