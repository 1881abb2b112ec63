using System.ComponentModel.DataAnnotations;

namespace RestoreGrpc.Server.Hosting;

/// <summary>The request memory budget (section <c>Restore:Memory</c>; the image limits keep <c>Restore:Limits</c>).</summary>
public sealed class RequestMemoryOptions
{
    public const string Section = "Restore:Memory";

    /// <summary>Memory unary requests may hold together, from receipt to their last byte sent (received message,
    /// decoded input, canvases, tile tensors, encoded output); 0 sizes it from the machine
    /// (<see cref="Core.Memory.MemoryBudget.DefaultCapacity"/>).</summary>
    [Range(0, 1L << 30)]
    public long MaxInFlightMegabytes { get; set; }

    /// <summary>Longest a request waits for room in the budget before RESOURCE_EXHAUSTED.</summary>
    [Range(0, 600_000)]
    public int MaxInFlightWaitMilliseconds { get; set; } = 5000;

    /// <summary>Retry delay (google.rpc.RetryInfo) given with RESOURCE_EXHAUSTED from the budget.</summary>
    [Range(1, 600_000)]
    public int RetryAfterMilliseconds { get; set; } = 1000;

    /// <summary>After this long without a request in flight, pooled buffers are dropped and the GC compacts, so
    /// memory goes back to the system; 0 never trims.</summary>
    [Range(0, 86_400)]
    public int IdleTrimSeconds { get; set; } = 10;

    /// <summary>Native allocations of at least this many KiB are mapped and unmapped on their own (glibc's mmap
    /// threshold, fixed at start: <see cref="Core.Memory.NativeHeapTuning"/>), so that a busy server's large pixel
    /// buffers leave RSS when freed; 0 keeps glibc's dynamic threshold. <c>MALLOC_MMAP_THRESHOLD_</c> in the
    /// environment wins over it.</summary>
    [Range(0, 32 * 1024)]
    public int NativeMmapThresholdKilobytes { get; set; } = 1024;

    /// <summary>The budget's capacity in bytes.</summary>
    public long CapacityBytes() => MaxInFlightMegabytes > 0
        ? MaxInFlightMegabytes << 20
        : Core.Memory.MemoryBudget.DefaultCapacity(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, Environment.ProcessorCount);
}
