namespace RestoreGrpc.Core.Models;

/// <summary>How much work a model does at load, before it reports ready.</summary>
public enum WarmUpMode
{
    /// <summary>One 32×32 run: sessions and kernels initialised.</summary>
    Minimal,

    /// <summary>
    /// The model's full tile window at batch 1 (and at its <c>MaxBatch</c> on CUDA, where each new shape triggers
    /// an algorithm search): the first request pays no per-shape cost.
    /// </summary>
    TileShapes,
}
