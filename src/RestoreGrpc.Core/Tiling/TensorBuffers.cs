using System.Buffers;

namespace RestoreGrpc.Core.Tiling;

/// <summary>
/// Pool for tile tensors. Tiles have a few fixed shapes, so a handful of large arrays serve every request instead
/// of one large-object-heap allocation per tile.
/// </summary>
internal static class TensorBuffers
{
    /// <summary>Up to 256 Mi floats (1 GiB) per array, a few arrays per size class.</summary>
    public static ArrayPool<float> Pool { get; } = ArrayPool<float>.Create(maxArrayLength: 1 << 28, maxArraysPerBucket: 32);
}
