namespace RestoreGrpc.Core.Models;

/// <summary>Which ONNX Runtime execution provider to run models on.</summary>
public enum ExecutionProviderPreference
{
    /// <summary>CUDA when it loads, otherwise CPU.</summary>
    Auto,
    Cpu,

    /// <summary>CUDA or fail: no silent CPU fallback.</summary>
    Cuda,
}
