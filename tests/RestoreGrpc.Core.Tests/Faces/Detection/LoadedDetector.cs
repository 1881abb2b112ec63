using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Core.Faces.Detection;
using RestoreGrpc.Core.Models;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Core.Tests.Faces.Detection;

/// <summary>A real detector model from the shared assets, loaded as the catalog loads models (one session in the
/// model's pool), for the test's duration.</summary>
internal sealed class LoadedDetector : IDisposable
{
    public const string YuNet = "yunet";
    public const string RetinaFace = "retinaface";

    private readonly OnnxModel _model;

    private LoadedDetector(OnnxModel model, IFaceDetector detector)
    {
        _model = model;
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
        var model = new OnnxModel(new ModelDescriptor { Name = name, Task = ModelTaskKind.FaceDetection }, [new OnnxSessionInstance(new InferenceSession(path), null)], "CPU");
        try
        {
            IFaceDetector detector = name == YuNet ? new YuNetDetector(model) : new RetinaFaceDetector(model);
            return new LoadedDetector(model, detector);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public IReadOnlyList<DetectedFace> Detect(string imageFile, FaceDetectionOptions? options = null)
    {
        using var image = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(SharedAssets.Image(imageFile));
        return Detector.Detect(image, options ?? FaceDetectionOptions.Default, TestContext.Current.CancellationToken);
    }

    public void Dispose() => _model.Dispose();
}
