using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Faces.Detection;
using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Core.Faces;

/// <summary>Wraps a loaded face-detection model in the decoder its architecture needs.</summary>
internal static class FaceDetectors
{
    public static IFaceDetector Create(IUpscaleModel model, string field)
    {
        if (model is not OnnxModel onnx)
        {
            throw new InvalidRequestException(field, $"model '{model.Descriptor.Name}' is not an ONNX detector");
        }

        return model.Descriptor.Architecture?.ToUpperInvariant() switch
        {
            "YUNET" => new YuNetDetector(onnx.Session),
            "RETINAFACE" => new RetinaFaceDetector(onnx.Session),
            _ => throw new ModelUnavailableException(model.Descriptor.Name, $"unknown detector architecture '{model.Descriptor.Architecture}' (YuNet or RetinaFace)"),
        };
    }
}
