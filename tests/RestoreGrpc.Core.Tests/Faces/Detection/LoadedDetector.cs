using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Core.Faces.Detection;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Core.Tests.Faces.Detection;

/// <summary>A real detector model from the shared assets and the session it owns for the test's duration.</summary>
internal sealed class LoadedDetector : IDisposable
{
    public const string YuNet = "yunet";
    public const string RetinaFace = "retinaface";

    private readonly InferenceSession _session;

    private LoadedDetector(InferenceSession session, IFaceDetector detector)
    {
        _session = session;
        Detector = detector;
    }

    public IFaceDetector Detector { get; }

    public static LoadedDetector Open(string name)
    {
        string path = SharedAssets.Model(name switch
        {
            YuNet => "yunet_s_dynamic.onnx",
            RetinaFace => "retinaface_mbnet0.25.onnx",
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        });
        var session = new InferenceSession(path);
        try
        {
            IFaceDetector detector = name == YuNet ? new YuNetDetector(session) : new RetinaFaceDetector(session);
            return new LoadedDetector(session, detector);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public IReadOnlyList<DetectedFace> Detect(string imageFile, FaceDetectionOptions? options = null)
    {
        using var image = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(SharedAssets.Image(imageFile));
        return Detector.Detect(image, options ?? FaceDetectionOptions.Default, TestContext.Current.CancellationToken);
    }

    public void Dispose() => _session.Dispose();
}
