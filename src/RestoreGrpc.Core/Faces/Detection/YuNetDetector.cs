using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Core.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Faces.Detection;

/// <summary>
/// YuNet (OpenCV's face_detection_yunet) over a loaded model's session pool. Input: [1, 3, H, W] BGR in
/// 0..255 with H and W multiples of 32 (zero-padded at the right and bottom). Outputs, per stride 8, 16 and 32, one
/// anchor per cell in row-major order: <c>cls</c>, <c>obj</c>, <c>bbox</c> (centre offset and log size in strides)
/// and <c>kps</c> (five landmark offsets in strides).
/// </summary>
internal sealed class YuNetDetector : IFaceDetector
{
    private const int PadMultiple = 32;
    private static readonly int[] Strides = [8, 16, 32];
    private static readonly string[] OutputNames =
        [.. Strides.SelectMany(static stride => new[] { $"cls_{stride}", $"obj_{stride}", $"bbox_{stride}", $"kps_{stride}" })];

    private readonly IOnnxSessionPool _sessions;
    private readonly string _inputName;

    /// <param name="sessions">A loaded YuNet model's session pool; the caller keeps ownership and disposes it.</param>
    public YuNetDetector(IOnnxSessionPool sessions)
    {
        _inputName = DetectorInference.CheckSession(sessions, "YuNet", OutputNames);
        _sessions = sessions;
    }

    public string Name => "yunet";

    public IReadOnlyList<DetectedFace> Detect(Image<Rgb24> image, FaceDetectionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        using DetectionTensor tensor = DetectionTensor.Create(image, options.MaxInputSide, PadMultiple, 0f, 0f, 0f);
        using IDisposableReadOnlyCollection<OrtValue> outputs = DetectorInference.Run(_sessions, _inputName, tensor, OutputNames, cancellationToken);

        var candidates = new List<DetectedFace>();
        for (int level = 0; level < Strides.Length; level++)
        {
            Decode(
                tensor,
                Strides[level],
                outputs[4 * level],
                outputs[(4 * level) + 1],
                outputs[(4 * level) + 2],
                outputs[(4 * level) + 3],
                options,
                candidates);
        }

        return NonMaximumSuppression.Apply(candidates, options.NmsIouThreshold);
    }

    private static void Decode(
        DetectionTensor tensor,
        int stride,
        OrtValue clsValue,
        OrtValue objValue,
        OrtValue bboxValue,
        OrtValue kpsValue,
        FaceDetectionOptions options,
        List<DetectedFace> candidates)
    {
        int columns = tensor.Width / stride;
        int rows = tensor.Height / stride;
        int anchors = rows * columns;
        ReadOnlySpan<float> cls = Output(clsValue, "cls", stride, anchors, 1);
        ReadOnlySpan<float> obj = Output(objValue, "obj", stride, anchors, 1);
        ReadOnlySpan<float> bbox = Output(bboxValue, "bbox", stride, anchors, 4);
        ReadOnlySpan<float> kps = Output(kpsValue, "kps", stride, anchors, 2 * DetectedFace.LandmarkCount);

        for (int anchor = 0; anchor < anchors; anchor++)
        {
            float score = MathF.Sqrt(Math.Clamp(cls[anchor], 0f, 1f) * Math.Clamp(obj[anchor], 0f, 1f));
            if (score < options.ScoreThreshold)
            {
                continue;
            }

            int row = anchor / columns;
            int column = anchor % columns;
            ReadOnlySpan<float> b = bbox.Slice(anchor * 4, 4);
            float centreX = (column + b[0]) * stride;
            float centreY = (row + b[1]) * stride;
            float width = MathF.Exp(b[2]) * stride;
            float height = MathF.Exp(b[3]) * stride;
            FaceBox box = tensor.ToImage(centreX - (width / 2f), centreY - (height / 2f), width, height);
            if (!options.IsLargeEnough(box))
            {
                continue;
            }

            ReadOnlySpan<float> k = kps.Slice(anchor * 2 * DetectedFace.LandmarkCount, 2 * DetectedFace.LandmarkCount);
            var landmarks = new LandmarkPoint[DetectedFace.LandmarkCount];
            for (int i = 0; i < landmarks.Length; i++)
            {
                landmarks[i] = tensor.ToImage((column + k[2 * i]) * stride, (row + k[(2 * i) + 1]) * stride);
            }

            candidates.Add(new DetectedFace(box, score, landmarks));
        }
    }

    private static ReadOnlySpan<float> Output(OrtValue value, string name, int stride, int anchors, int channels)
    {
        ReadOnlySpan<float> data = value.GetTensorDataAsSpan<float>();
        if (data.Length != anchors * channels)
        {
            long[] shape = value.GetTensorTypeAndShape().Shape;
            throw new InvalidOperationException(
                $"YuNet output {name}_{stride} has shape [{string.Join(", ", shape)}]; expected [1, {anchors}, {channels}]");
        }

        return data;
    }
}
