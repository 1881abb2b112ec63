using Microsoft.IO;

namespace RestoreGrpc.Core.Memory;

/// <summary>
/// Pooled streams for encoded output (Microsoft.IO.RecyclableMemoryStream): 128 KiB blocks for the PNG stripes and
/// contiguous large buffers, in 1 MiB steps, for whole encoded images, so an encode allocates nothing on the
/// large-object heap once the pool is warm. Free memory kept by the pool is bounded, and <see cref="Trim"/> drops
/// it all once the server is idle.
/// </summary>
internal static class EncodeBuffers
{
    private static RecyclableMemoryStreamManager _manager = Create();

    /// <summary>The current pool. A stream returns its buffers to the pool it came from, also after a trim.</summary>
    public static RecyclableMemoryStreamManager Manager => Volatile.Read(ref _manager);

    /// <summary>A stream whose buffer is one contiguous block of at least <paramref name="bytes"/>.</summary>
    public static RecyclableMemoryStream Contiguous(long bytes) => Manager.GetStream(Guid.Empty, null, bytes, asContiguousBuffer: true);

    /// <summary>A stream of pooled blocks (not contiguous once it is over one block).</summary>
    public static RecyclableMemoryStream Blocks() => Manager.GetStream();

    /// <summary>Drops every free buffer (a fresh, empty pool takes its place).</summary>
    public static void Trim() => Volatile.Write(ref _manager, Create());

    private static RecyclableMemoryStreamManager Create() => new(new RecyclableMemoryStreamManager.Options
    {
        BlockSize = 128 * 1024,
        LargeBufferMultiple = 1 << 20,
        MaximumBufferSize = 256 << 20,
        MaximumSmallPoolFreeBytes = 64L << 20,
        MaximumLargePoolFreeBytes = 256L << 20,
        GenerateCallStacks = false,
    });
}
