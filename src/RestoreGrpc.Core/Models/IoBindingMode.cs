namespace RestoreGrpc.Core.Models;

/// <summary>How model runs hand tensors to ONNX Runtime.</summary>
public enum IoBindingMode
{
    /// <summary>I/O binding over page-locked (pinned) host tensors on CUDA; plain runs over the caller's buffers on CPU.</summary>
    Auto,

    /// <summary>Always bind: pinned host tensors on CUDA, the default CPU allocator elsewhere (tests compare the paths).</summary>
    Always,

    /// <summary>Never bind: ONNX Runtime copies between the caller's buffers and the device itself.</summary>
    Never,
}
