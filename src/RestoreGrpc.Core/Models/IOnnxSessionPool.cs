using Microsoft.ML.OnnxRuntime;

namespace RestoreGrpc.Core.Models;

/// <summary>
/// A loaded ONNX model's sessions, for callers that decode several outputs themselves (face detectors). Runs take a
/// session from the same pool as the model's tensor runs, are terminated by cancellation, and report running out of
/// memory as <see cref="InsufficientMemoryException"/>, like every model run.
/// </summary>
internal interface IOnnxSessionPool
{
    IReadOnlyList<string> InputNames { get; }

    IReadOnlyList<string> OutputNames { get; }

    /// <summary>Runs one input; the outputs are allocated by ONNX Runtime and owned by the caller.</summary>
    IDisposableReadOnlyCollection<OrtValue> Run(string inputName, OrtValue input, string[] outputNames, CancellationToken cancellationToken);
}
