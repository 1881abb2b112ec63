using System.Globalization;
using RestoreGrpc.Core.Faces.Detection;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Tests.Faces.Detection;

/// <summary>
/// Both real detectors (YuNet and RetinaFace) on real photos, each checked against the other: two independently
/// trained models and two independent decoders agreeing on where the eyes, nose and mouth are is strong evidence that
/// tensor preparation and decoding are right.
/// </summary>
public sealed class FaceDetectorTests
{
    private const int Left = 0;
    private const int Right = 1;
    private const int Nose = 2;
    private const int MouthLeft = 3;
    private const int MouthRight = 4;

    [Theory]
    [InlineData(LoadedDetector.YuNet, "astronaut.png", 1)]
    [InlineData(LoadedDetector.YuNet, "messi5.jpg", 1)]
    [InlineData(LoadedDetector.YuNet, "text.png", 0)]
    [InlineData(LoadedDetector.YuNet, "building.jpg", 0)]
    [InlineData(LoadedDetector.RetinaFace, "astronaut.png", 1)]
    [InlineData(LoadedDetector.RetinaFace, "messi5.jpg", 1)]
    [InlineData(LoadedDetector.RetinaFace, "text.png", 0)]
    [InlineData(LoadedDetector.RetinaFace, "building.jpg", 0)]
    public void Finds_the_expected_faces_with_default_options(string detector, string imageFile, int expected)
    {
        using LoadedDetector loaded = LoadedDetector.Open(detector);
        IReadOnlyList<DetectedFace> faces = loaded.Detect(imageFile);

        // The best candidates at a low threshold show the margin on both sides of the default.
        IReadOnlyList<DetectedFace> candidates = loaded.Detect(imageFile, new FaceDetectionOptions { ScoreThreshold = 0.05f });
        Log($"{detector} {imageFile}: {faces.Count} face(s); best candidates {string.Join(", ", candidates.Take(3).Select(Describe))}");
        Assert.Equal(expected, faces.Count);
        Assert.All(faces, face => Assert.InRange(face.Score, FaceDetectionOptions.Default.ScoreThreshold, 1f));
    }

    [Theory]
    [InlineData("astronaut.png", 8f)]
    [InlineData("messi5.jpg", 4f)]
    public void The_two_detectors_agree_on_box_and_landmarks(string imageFile, float tolerance)
    {
        using LoadedDetector yuNet = LoadedDetector.Open(LoadedDetector.YuNet);
        using LoadedDetector retinaFace = LoadedDetector.Open(LoadedDetector.RetinaFace);
        DetectedFace a = Assert.Single(yuNet.Detect(imageFile));
        DetectedFace b = Assert.Single(retinaFace.Detect(imageFile));

        float iou = a.Box.IntersectionOverUnion(b.Box);
        float[] distances = [.. a.Landmarks.Zip(b.Landmarks, Distance)];
        Log($"{imageFile}: box IoU {iou:F3}; landmark distances {string.Join(", ", distances.Select(d => d.ToString("F2", CultureInfo.InvariantCulture)))} px");
        Assert.True(iou > 0.5f, $"box IoU {iou}");
        Assert.All(distances, distance => Assert.InRange(distance, 0f, tolerance));
    }

    [Theory]
    [InlineData(LoadedDetector.YuNet)]
    [InlineData(LoadedDetector.RetinaFace)]
    public void Astronaut_landmarks_are_in_anatomical_order_inside_the_box(string detector)
    {
        using LoadedDetector loaded = LoadedDetector.Open(detector);
        DetectedFace face = Assert.Single(loaded.Detect("astronaut.png"));
        IReadOnlyList<LandmarkPoint> points = face.Landmarks;

        Assert.Equal(DetectedFace.LandmarkCount, points.Count);
        Assert.True(points[Left].X < points[Right].X, "left eye left of right eye");
        Assert.True(points[MouthLeft].X < points[MouthRight].X, "left mouth corner left of right one");
        float eyes = Math.Max(points[Left].Y, points[Right].Y);
        float mouth = Math.Min(points[MouthLeft].Y, points[MouthRight].Y);
        Assert.True(eyes < points[Nose].Y && points[Nose].Y < mouth, $"eyes ({eyes}) above nose ({points[Nose].Y}) above mouth ({mouth})");
        Assert.InRange(points[Nose].X, points[Left].X, points[Right].X);
        Assert.All(points, point => Assert.True(face.Box.Contains(point), $"{point} outside {face.Box}"));

        // The face is about 90 px wide, around (222, 120) in the 512×512 portrait.
        Assert.InRange(face.Box.Width, 70f, 110f);
        Assert.InRange(face.Box.X + (face.Box.Width / 2f), 200f, 245f);
    }

    [Theory]
    [InlineData(LoadedDetector.YuNet, "astronaut.png")]
    [InlineData(LoadedDetector.RetinaFace, "astronaut.png")]
    [InlineData(LoadedDetector.YuNet, "messi5.jpg")]
    [InlineData(LoadedDetector.RetinaFace, "messi5.jpg")]
    public void A_downscaled_large_image_maps_back_to_original_coordinates(string detector, string imageFile)
    {
        using LoadedDetector loaded = LoadedDetector.Open(detector);
        using Image<Rgb24> original = Image.Load<Rgb24>(SharedAssets.Image(imageFile));
        using Image<Rgb24> doubled = Resized(original, original.Width * 2, original.Height * 2);
        CancellationToken cancellationToken = TestContext.Current.CancellationToken;
        DetectedFace small = Assert.Single(loaded.Detector.Detect(original, FaceDetectionOptions.Default, cancellationToken));

        // Detected at the original's own size, the doubled image must give exactly twice the original's geometry
        // (up to the resampling round trip).
        DetectedFace same = Assert.Single(loaded.Detector.Detect(
            doubled,
            FaceDetectionOptions.Default with { MaxInputSide = Math.Max(original.Width, original.Height) },
            cancellationToken));
        AssertScaled(small, 2.0, 2.0, same, tolerance: 1f, $"{detector} {imageFile} ×2 detected at its original size");

        // The default 640 px limit scales by a non-integer factor (and, for messi5, slightly differently per axis):
        // the result must be that of the original resized straight to the same detection size, scaled back up.
        DetectedFace large = Assert.Single(loaded.Detector.Detect(doubled, FaceDetectionOptions.Default, cancellationToken));
        double factor = 640.0 / Math.Max(doubled.Width, doubled.Height);
        int width = (int)Math.Round(doubled.Width * factor);
        int height = (int)Math.Round(doubled.Height * factor);
        using Image<Rgb24> direct = Resized(original, width, height);
        DetectedFace atDetectionSize = Assert.Single(loaded.Detector.Detect(direct, FaceDetectionOptions.Default, cancellationToken));
        AssertScaled(atDetectionSize, doubled.Width / (double)width, doubled.Height / (double)height, large, tolerance: 1f, $"{detector} {imageFile} ×2 detected at {width}×{height}");

        // Against twice the original's own detection the model sees the face at another scale, so the points move a
        // little (YuNet's left mouth corner on astronaut by 11.7 px at the doubled size; RetinaFace's by under 5 px).
        AssertScaled(small, 2.0, 2.0, large, tolerance: 16f, $"{detector} {imageFile} ×2 detected at {width}×{height} vs the original");
    }

    [Theory]
    [InlineData(LoadedDetector.YuNet)]
    [InlineData(LoadedDetector.RetinaFace)]
    public async Task Concurrent_calls_give_the_same_faces(string detector)
    {
        using LoadedDetector loaded = LoadedDetector.Open(detector);
        using Image<Rgb24> image = Image.Load<Rgb24>(SharedAssets.Image("messi5.jpg"));
        CancellationToken cancellationToken = TestContext.Current.CancellationToken;
        IReadOnlyList<DetectedFace> reference = loaded.Detector.Detect(image, FaceDetectionOptions.Default, cancellationToken);

        IReadOnlyList<DetectedFace>[] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => loaded.Detector.Detect(image, FaceDetectionOptions.Default, cancellationToken), cancellationToken)));

        // DetectedFace equality compares boxes, scores and every landmark.
        Assert.All(results, result => Assert.Equal(reference, result));
    }

    [Theory]
    [InlineData(LoadedDetector.YuNet)]
    [InlineData(LoadedDetector.RetinaFace)]
    public void Results_are_sorted_by_score_and_min_face_size_drops_small_faces(string detector)
    {
        using LoadedDetector loaded = LoadedDetector.Open(detector);
        IReadOnlyList<DetectedFace> many = loaded.Detect("messi5.jpg", new FaceDetectionOptions { ScoreThreshold = 0.3f });
        Assert.True(many.Count > 1, "low threshold finds the blurred crowd too");
        Assert.Equal(many.OrderByDescending(face => face.Score).ToArray(), many);

        // Messi's face is about 31 px wide, the crowd's faces half that.
        IReadOnlyList<DetectedFace> large = loaded.Detect("messi5.jpg", new FaceDetectionOptions { ScoreThreshold = 0.3f, MinFaceSize = 25f });
        DetectedFace messi = Assert.Single(large);
        Assert.Equal(many[0], messi);
        Assert.Empty(loaded.Detect("messi5.jpg", new FaceDetectionOptions { MinFaceSize = 60f }));
    }

    [Theory]
    [InlineData(LoadedDetector.YuNet)]
    [InlineData(LoadedDetector.RetinaFace)]
    public void Rejects_invalid_options_and_honours_cancellation(string detector)
    {
        using LoadedDetector loaded = LoadedDetector.Open(detector);
        using var image = new Image<Rgb24>(40, 30);
        CancellationToken cancellationToken = TestContext.Current.CancellationToken;

        Assert.Throws<ArgumentOutOfRangeException>(() => loaded.Detector.Detect(image, new FaceDetectionOptions { ScoreThreshold = 1.5f }, cancellationToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => loaded.Detector.Detect(image, new FaceDetectionOptions { NmsIouThreshold = float.NaN }, cancellationToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => loaded.Detector.Detect(image, new FaceDetectionOptions { MaxInputSide = 0 }, cancellationToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => loaded.Detector.Detect(image, new FaceDetectionOptions { MinFaceSize = -1f }, cancellationToken));
        Assert.Empty(loaded.Detector.Detect(image, FaceDetectionOptions.Default, cancellationToken));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => loaded.Detector.Detect(image, FaceDetectionOptions.Default, cancelled.Token));
    }

    [Theory]
    [InlineData(LoadedDetector.YuNet)]
    [InlineData(LoadedDetector.RetinaFace)]
    public void Tiny_and_odd_sized_images_give_no_faces_rather_than_errors(string detector)
    {
        using LoadedDetector loaded = LoadedDetector.Open(detector);
        foreach ((int width, int height) in new[] { (1, 1), (5, 3), (33, 17), (100, 1), (1, 700), (641, 37) })
        {
            using var image = new Image<Rgb24>(width, height, new Rgb24(128, 128, 128));
            Assert.Empty(loaded.Detector.Detect(image, FaceDetectionOptions.Default, TestContext.Current.CancellationToken));
        }
    }

    private static Image<Rgb24> Resized(Image<Rgb24> image, int width, int height) =>
        image.Clone(context => context.Resize(width, height, KnownResamplers.Bicubic));

    private static void AssertScaled(DetectedFace reference, double scaleX, double scaleY, DetectedFace actual, float tolerance, string what)
    {
        float[] distances =
        [
            .. reference.Landmarks.Zip(actual.Landmarks, (r, a) => Distance(new LandmarkPoint((float)(r.X * scaleX), (float)(r.Y * scaleY)), a)),
        ];
        var expectedBox = new FaceBox(
            (float)(reference.Box.X * scaleX),
            (float)(reference.Box.Y * scaleY),
            (float)(reference.Box.Width * scaleX),
            (float)(reference.Box.Height * scaleY));
        float iou = expectedBox.IntersectionOverUnion(actual.Box);
        Log($"{what}: landmark distances {string.Join(", ", distances.Select(d => d.ToString("F2", CultureInfo.InvariantCulture)))} px; box IoU {iou:F3}");
        Assert.All(distances, distance => Assert.InRange(distance, 0f, tolerance));
        Assert.True(iou > 0.85f, $"{what}: box IoU {iou}");
    }

    private static float Distance(LandmarkPoint a, LandmarkPoint b) => MathF.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));

    private static string Describe(DetectedFace face) => string.Create(
        CultureInfo.InvariantCulture,
        $"{face.Score:F3} at ({face.Box.X:F0}, {face.Box.Y:F0}) {face.Box.Width:F0}×{face.Box.Height:F0}");

    private static void Log(string message) => TestContext.Current.TestOutputHelper?.WriteLine(message);
}
