using RestoreGrpc.Core.Faces.Detection;

namespace RestoreGrpc.Core.Tests.Faces.Detection;

public sealed class NonMaximumSuppressionTests
{
    private static DetectedFace Face(float x, float y, float size, float score) =>
        new(new FaceBox(x, y, size, size), score, [.. Enumerable.Repeat(new LandmarkPoint(x, y), DetectedFace.LandmarkCount)]);

    [Fact]
    public void An_overlapping_pair_keeps_the_higher_score()
    {
        DetectedFace weaker = Face(12, 10, 100, 0.7f);
        DetectedFace stronger = Face(10, 10, 100, 0.9f);

        List<DetectedFace> kept = NonMaximumSuppression.Apply([weaker, stronger], 0.4f);

        Assert.Same(stronger, Assert.Single(kept));
    }

    [Fact]
    public void Disjoint_boxes_are_all_kept_best_first()
    {
        DetectedFace a = Face(0, 0, 50, 0.6f);
        DetectedFace b = Face(100, 0, 50, 0.95f);
        DetectedFace c = Face(0, 100, 50, 0.8f);

        List<DetectedFace> kept = NonMaximumSuppression.Apply([a, b, c], 0.4f);

        Assert.Equal([b, c, a], kept);
    }

    [Fact]
    public void Suppression_is_by_the_iou_threshold_and_only_against_kept_boxes()
    {
        // Boxes 0..100 and 50..150 overlap with IoU 50·100 / 150·100 = 1/3.
        DetectedFace first = Face(0, 0, 100, 0.9f) with { Box = new FaceBox(0, 0, 100, 100) };
        DetectedFace second = first with { Box = new FaceBox(50, 0, 100, 100), Score = 0.8f };
        DetectedFace third = first with { Box = new FaceBox(100, 0, 100, 100), Score = 0.7f };
        Assert.Equal(1f / 3f, first.Box.IntersectionOverUnion(second.Box), 5);

        Assert.Equal([first, second, third], NonMaximumSuppression.Apply([third, second, first], 0.4f));

        // At 0.3 the second goes; the third overlapped only the suppressed second, so it stays.
        Assert.Equal([first, third], NonMaximumSuppression.Apply([third, second, first], 0.3f));
    }

    [Fact]
    public void Box_geometry()
    {
        var box = new FaceBox(10, 20, 30, 40);
        Assert.Equal(40f, box.Right);
        Assert.Equal(60f, box.Bottom);
        Assert.Equal(1200f, box.Area);
        Assert.True(box.Contains(new LandmarkPoint(10, 60)));
        Assert.False(box.Contains(new LandmarkPoint(9.9f, 30)));
        Assert.Equal(1f, box.IntersectionOverUnion(box));
        Assert.Equal(0f, box.IntersectionOverUnion(new FaceBox(40, 20, 10, 10)));
        Assert.Equal(0f, new FaceBox(0, 0, 0, 0).IntersectionOverUnion(new FaceBox(0, 0, 0, 0)));
    }
}
