using System.Runtime.InteropServices;

namespace RestoreGrpc.Core.Memory;

/// <summary>
/// glibc's <c>mallopt(M_MMAP_THRESHOLD, bytes)</c>: native allocations of at least that size are always mapped with
/// <c>mmap</c> and unmapped when freed. Setting it also turns off glibc's dynamic threshold, which rises after each
/// large free (up to 32 MiB on 64-bit), after which large buffers (ImageSharp's unmanaged pixel buffers of large
/// outputs) come from the heap's arenas and stay resident once freed, so a busy server's RSS creeps up; only
/// <see cref="NativeHeapTrim"/> returns them, and only an idle server runs it. A no-op where there is no glibc.
/// </summary>
public static unsafe class NativeHeapTuning
{
    /// <summary>glibc's <c>M_MMAP_THRESHOLD</c> parameter number.</summary>
    private const int MmapThreshold = -3;

    /// <summary>The environment variable with which an operator sets the threshold for glibc itself.</summary>
    public const string ThresholdVariable = "MALLOC_MMAP_THRESHOLD_";

    private static readonly delegate* unmanaged<int, int, int> Mallopt = Load();

    /// <summary>Whether this process can tune its native heap.</summary>
    public static bool Available => Mallopt is not null;

    /// <summary>Fixes the mmap threshold at <paramref name="bytes"/>; true when glibc took it.</summary>
    public static bool SetMmapThreshold(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 0);
        return Mallopt is not null && Mallopt(MmapThreshold, bytes) == 1;
    }

    private static delegate* unmanaged<int, int, int> Load() =>
        OperatingSystem.IsLinux()
        && NativeLibrary.TryLoad("libc.so.6", out nint libc)
        && NativeLibrary.TryGetExport(libc, "mallopt", out nint mallopt)
            ? (delegate* unmanaged<int, int, int>)mallopt
            : null;
}
