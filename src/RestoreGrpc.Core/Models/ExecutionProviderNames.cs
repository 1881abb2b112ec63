namespace RestoreGrpc.Core.Models;

/// <summary>The names a model reports as its execution provider (<c>IRestorationModel.ExecutionProvider</c>).</summary>
public static class ExecutionProviderNames
{
    /// <summary>ONNX Runtime's CUDA execution provider.</summary>
    public const string Cuda = "CUDA";

    /// <summary>ONNX Runtime's CPU execution provider.</summary>
    public const string Cpu = "CPU";

    /// <summary>A built-in model computed in managed code (the Lanczos resampler).</summary>
    public const string Builtin = "builtin";
}
