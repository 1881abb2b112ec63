using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Faces.Detection;
using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Core.Faces;

/// <summary>Wraps a loaded face-detection model's session pool in the decoder its architecture needs.</summary>
internal static class FaceDetectors
{
    public static IFaceDetector Create(IUpscaleModel model, RequestField field)
    {
        if (model is not IOnnxSessionPool sessions)
        {
            throw new InvalidRequestException(field, $"model '{model.Descriptor.Name}' is not an ONNX detector");
        }

        return model.Descriptor.Architecture?.ToUpperInvariant() switch
        {
            "YUNET" => new YuNetDetector(sessions),
            "RETINAFACE" => new RetinaFaceDetector(sessions),
            _ => throw new ModelUnavailableException(model.Descriptor.Name, $"unknown detector architecture '{model.Descriptor.Architecture}' (YuNet or RetinaFace)"),
        };
    }
}
