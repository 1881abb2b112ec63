using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Core.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Faces.Detection;

/// <summary>
/// RetinaFace (MobileNet-0.25, Pytorch_Retinaface layout) over a loaded model's session pool. Input:
/// [1, 3, H, W] BGR minus (104, 117, 123), any size. Outputs over the prior boxes: <c>loc</c> [1, A, 4],
/// <c>conf</c> [1, A, 2] (softmaxed; the face score is column 1) and <c>iou</c> [1, A, 10], which despite its name
/// holds the five landmarks.
/// </summary>
internal sealed class RetinaFaceDetector : IFaceDetector
{
    private const float CentreVariance = 0.1f;
    private const float SizeVariance = 0.2f;
    private const float MeanB = 104f;
    private const float MeanG = 117f;
    private const float MeanR = 123f;
    private static readonly int[] Steps = [8, 16, 32];
    private static readonly int[][] MinSizes = [[16, 32], [64, 128], [256, 512]];
    private static readonly string[] OutputNames = ["loc", "conf", "iou"];

    private readonly IOnnxSessionPool _sessions;
    private readonly string _inputName;

    /// <param name="sessions">A loaded RetinaFace model's session pool; the caller keeps ownership and disposes it.</param>
    public RetinaFaceDetector(IOnnxSessionPool sessions)
    {
        _inputName = DetectorInference.CheckSession(sessions, "RetinaFace", OutputNames);
        _sessions = sessions;
    }

    public string Name => "retinaface";

    public IReadOnlyList<DetectedFace> Detect(Image<Rgb24> image, FaceDetectionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        using DetectionTensor tensor = DetectionTensor.Create(image, options.MaxInputSide, padMultiple: 1, MeanB, MeanG, MeanR);
        using IDisposableReadOnlyCollection<OrtValue> outputs = DetectorInference.Run(_sessions, _inputName, tensor, OutputNames, cancellationToken);

        int priors = PriorCount(tensor.Width, tensor.Height);
        ReadOnlySpan<float> loc = Output(outputs[0], "loc", priors, 4);
        ReadOnlySpan<float> conf = Output(outputs[1], "conf", priors, 2);
        ReadOnlySpan<float> landmarkOffsets = Output(outputs[2], "iou", priors, 2 * DetectedFace.LandmarkCount);

        var candidates = new List<DetectedFace>();
        int prior = 0;
        for (int level = 0; level < Steps.Length; level++)
        {
            int step = Steps[level];
            int rows = CeilDiv(tensor.Height, step);
            int columns = CeilDiv(tensor.Width, step);
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < columns; j++)
                {
                    foreach (int minSize in MinSizes[level])
                    {
                        int index = prior++;
                        float score = conf[(2 * index) + 1];
                        if (score < options.ScoreThreshold)
                        {
                            continue;
                        }

                        // The prior in tensor pixels: centre of the cell, square of the level's size.
                        float priorX = (j + 0.5f) * step;
                        float priorY = (i + 0.5f) * step;
                        ReadOnlySpan<float> l = loc.Slice(4 * index, 4);
                        float centreX = priorX + (l[0] * CentreVariance * minSize);
                        float centreY = priorY + (l[1] * CentreVariance * minSize);
                        float width = minSize * MathF.Exp(l[2] * SizeVariance);
                        float height = minSize * MathF.Exp(l[3] * SizeVariance);
                        FaceBox box = tensor.ToImage(centreX - (width / 2f), centreY - (height / 2f), width, height);
                        if (!options.IsLargeEnough(box))
                        {
                            continue;
                        }

                        ReadOnlySpan<float> k = landmarkOffsets.Slice(2 * DetectedFace.LandmarkCount * index, 2 * DetectedFace.LandmarkCount);
                        var landmarks = new LandmarkPoint[DetectedFace.LandmarkCount];
                        for (int n = 0; n < landmarks.Length; n++)
                        {
                            landmarks[n] = tensor.ToImage(
                                priorX + (k[2 * n] * CentreVariance * minSize),
                                priorY + (k[(2 * n) + 1] * CentreVariance * minSize));
                        }

                        candidates.Add(new DetectedFace(box, score, landmarks));
                    }
                }
            }
        }

        return NonMaximumSuppression.Apply(candidates, options.NmsIouThreshold);
    }

    private static int PriorCount(int width, int height)
    {
        int count = 0;
        for (int level = 0; level < Steps.Length; level++)
        {
            count += CeilDiv(height, Steps[level]) * CeilDiv(width, Steps[level]) * MinSizes[level].Length;
        }

        return count;
    }

    private static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;

    private static ReadOnlySpan<float> Output(OrtValue value, string name, int priors, int channels)
    {
        ReadOnlySpan<float> data = value.GetTensorDataAsSpan<float>();
        if (data.Length != priors * channels)
        {
            long[] shape = value.GetTensorTypeAndShape().Shape;
            throw new InvalidOperationException(
                $"RetinaFace output {name} has shape [{string.Join(", ", shape)}]; expected [1, {priors}, {channels}]");
        }

        return data;
    }
}
