using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Core.Faces.Detection;

/// <summary>One cancellable run of a detector model over a prepared tensor, through the model's session pool; the
/// outputs are allocated by ONNX Runtime.</summary>
internal static class DetectorInference
{
    public static IDisposableReadOnlyCollection<OrtValue> Run(
        IOnnxSessionPool sessions,
        string inputName,
        DetectionTensor tensor,
        string[] outputNames,
        CancellationToken cancellationToken)
    {
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tensor.Data, tensor.Shape);
        return sessions.Run(inputName, input, outputNames, cancellationToken);
    }

    /// <summary>The input name of a single-input detector, checking that the model produces the expected outputs.</summary>
    public static string CheckSession(IOnnxSessionPool sessions, string detector, IEnumerable<string> outputNames)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        if (sessions.InputNames.Count != 1)
        {
            throw new ArgumentException($"{detector} expects a model with one input; this one has {sessions.InputNames.Count}", nameof(sessions));
        }

        string[] missing = [.. outputNames.Where(name => !sessions.OutputNames.Contains(name))];
        if (missing.Length > 0)
        {
            throw new ArgumentException(
                $"{detector} model lacks output(s) {string.Join(", ", missing)}; it has {string.Join(", ", sessions.OutputNames)}",
                nameof(sessions));
        }

        return sessions.InputNames[0];
    }
}
