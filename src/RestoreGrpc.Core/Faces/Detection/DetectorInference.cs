using Microsoft.ML.OnnxRuntime;

namespace RestoreGrpc.Core.Faces.Detection;

/// <summary>One cancellable run of a detector session over a prepared tensor; the outputs are allocated by ONNX Runtime.</summary>
internal static class DetectorInference
{
    public static IDisposableReadOnlyCollection<OrtValue> Run(
        InferenceSession session,
        string inputName,
        DetectionTensor tensor,
        string[] outputNames,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tensor.Data, tensor.Shape);
        using CancellationTokenRegistration registration = cancellationToken.Register(
            static state => ((RunOptions)state!).Terminate = true,
            runOptions);
        try
        {
            return session.Run(runOptions, [inputName], [input], outputNames);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("face detection was terminated", cancellationToken);
        }
    }

    /// <summary>The input name of a single-input detector, checking that the session produces the expected outputs.</summary>
    public static string CheckSession(InferenceSession session, string detector, IEnumerable<string> outputNames)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.InputNames.Count != 1)
        {
            throw new ArgumentException($"{detector} expects a model with one input; this one has {session.InputNames.Count}", nameof(session));
        }

        string[] missing = [.. outputNames.Where(name => !session.OutputNames.Contains(name))];
        if (missing.Length > 0)
        {
            throw new ArgumentException(
                $"{detector} model lacks output(s) {string.Join(", ", missing)}; it has {string.Join(", ", session.OutputNames)}",
                nameof(session));
        }

        return session.InputNames[0];
    }
}
