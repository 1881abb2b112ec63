namespace RestoreGrpc.Core.Models;

/// <summary>How model runs hand tensors to ONNX Runtime.</summary>
public enum IoBindingMode
{
    /// <summary>I/O binding over page-locked (pinned) host tensors on CUDA; plain runs over the caller's buffers on CPU.
    /// (<see cref="Device"/> becomes the CUDA default once it is measured on a GPU.)</summary>
    Auto,

    /// <summary>Always bind: pinned host tensors on CUDA, the default CPU allocator elsewhere (tests compare the paths).</summary>
    Always,

    /// <summary>Never bind: ONNX Runtime copies between the caller's buffers and the device itself.</summary>
    Never,

    /// <summary>Inputs and outputs bound in device memory (ONNX Runtime's CUDA allocator), filled and read through
    /// page-locked host tensors by ONNX Runtime's own data transfer; kept per shape, so steady traffic allocates
    /// nothing. Without CUDA, the same as <see cref="Always"/>.</summary>
    Device,
}
