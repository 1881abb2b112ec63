namespace RestoreGrpc.Core.Models;

/// <summary>
/// A loaded model that maps an NCHW float tensor (batch × 3 × H × W, in the model's normalisation) to one
/// <see cref="Scale"/> times larger. Safe for concurrent <see cref="Run"/> calls.
/// </summary>
public interface IUpscaleModel
{
    ModelDescriptor Descriptor { get; }

    int Scale { get; }

    /// <summary>"CUDA", "CPU" or "builtin".</summary>
    string ExecutionProvider { get; }

    /// <param name="input">batch·3·height·width samples (a longer buffer is fine).</param>
    /// <param name="output">batch·3·(height·Scale)·(width·Scale) samples.</param>
    void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken);
}
