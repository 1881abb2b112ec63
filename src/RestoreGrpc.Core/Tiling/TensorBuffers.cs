using System.Buffers;

namespace RestoreGrpc.Core.Tiling;

/// <summary>
/// Pool for tile tensors. Tiles have a few fixed shapes, so a handful of large arrays serve every request instead
/// of one large-object-heap allocation per tile. <see cref="Trim"/> lets the arrays go once the server is idle.
/// </summary>
internal static class TensorBuffers
{
    private static ArrayPool<float> _pool = Create();

    /// <summary>Up to 256 Mi floats (1 GiB) per array, a few arrays per size class. Arrays rented before a
    /// <see cref="Trim"/> may be returned after it: every pool has the same size classes.</summary>
    public static ArrayPool<float> Pool => Volatile.Read(ref _pool);

    /// <summary>Drops every array the pool holds (a fresh, empty pool takes its place).</summary>
    public static void Trim() => Volatile.Write(ref _pool, Create());

    private static ArrayPool<float> Create() => ArrayPool<float>.Create(maxArrayLength: 1 << 28, maxArraysPerBucket: 32);
}
