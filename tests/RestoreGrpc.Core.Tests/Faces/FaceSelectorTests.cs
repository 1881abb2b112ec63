using RestoreGrpc.Core.Faces;
using RestoreGrpc.Core.Faces.Detection;

namespace RestoreGrpc.Core.Tests.Faces;

public sealed class FaceSelectorTests
{
    private static DetectedFace Face(float x, float y, float size) =>
        new(new FaceBox(x, y, size, size), 0.9f, Enumerable.Repeat(new LandmarkPoint(x + (size / 2), y + (size / 2)), 5).ToArray());

    private static readonly DetectedFace[] Faces = [Face(0, 0, 50), Face(380, 380, 20), Face(200, 180, 30)];

    [Fact]
    public void All_keeps_every_face() => Assert.Equal(3, FaceSelector.Select(Faces, FaceSelectionKind.All, 400, 400).Count);

    [Fact]
    public void Largest_keeps_the_biggest_box() => Assert.Same(Faces[0], Assert.Single(FaceSelector.Select(Faces, FaceSelectionKind.Largest, 400, 400)));

    [Fact]
    public void Center_keeps_the_face_nearest_the_middle() => Assert.Same(Faces[2], Assert.Single(FaceSelector.Select(Faces, FaceSelectionKind.Center, 400, 400)));

    [Fact]
    public void Caller_landmarks_get_a_box_around_them()
    {
        LandmarkPoint[] points = [new(10, 10), new(30, 10), new(20, 20), new(12, 30), new(28, 30)];
        DetectedFace face = FaceSelector.FromLandmarks(points);
        Assert.All(points, p => Assert.True(face.Box.Contains(p)));
        Assert.Equal(1f, face.Score);
    }
}
