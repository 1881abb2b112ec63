using System.Runtime.InteropServices;

namespace RestoreGrpc.Core.Memory;

/// <summary>
/// glibc's <c>malloc_trim(0)</c>: hands the free pages of the native heap (ImageSharp's unmanaged pixel buffers,
/// ONNX Runtime's allocations) back to the system. glibc keeps freed memory in its arenas, and raises its mmap
/// threshold after large frees, so without it a server's RSS stays near its peak long after the load. A no-op where
/// there is no glibc (musl, Windows, macOS).
/// </summary>
internal static unsafe class NativeHeapTrim
{
    private static readonly delegate* unmanaged<nuint, int> MallocTrim = Load();

    /// <summary>Whether this process can trim its native heap.</summary>
    public static bool Available => MallocTrim is not null;

    /// <summary>Trims; true when glibc released memory.</summary>
    public static bool Run() => MallocTrim is not null && MallocTrim(0) != 0;

    private static delegate* unmanaged<nuint, int> Load() =>
        OperatingSystem.IsLinux()
        && NativeLibrary.TryLoad("libc.so.6", out nint libc)
        && NativeLibrary.TryGetExport(libc, "malloc_trim", out nint trim)
            ? (delegate* unmanaged<nuint, int>)trim
            : null;
}
