using System.Runtime;
using RestoreGrpc.Core.Tiling;
using SixLabors.ImageSharp;

namespace RestoreGrpc.Core.Memory;

/// <summary>
/// Gives the memory a load left behind back to the operating system once the server is idle: drops the pooled tile
/// tensors, the pooled encode buffers and ImageSharp's retained pixel buffers, runs an aggressive, compacting full collection (which also
/// decommits the GC's free regions), and trims the native heap (<see cref="NativeHeapTrim"/>). Costs a pause of tens
/// of milliseconds, so it runs only after a quiet spell.
/// </summary>
public static class MemoryTrim
{
    /// <summary>Trims now; returns the managed heap size after it, in bytes.</summary>
    public static long Run()
    {
        TensorBuffers.Trim();
        EncodeBuffers.Trim();
        Configuration.Default.MemoryAllocator.ReleaseRetainedResources();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        NativeHeapTrim.Run();
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
