using System.Runtime.InteropServices;
using RestoreGrpc.Core.Memory;

namespace RestoreGrpc.Core.Tests.Memory;

/// <summary>glibc's mmap threshold, read back through <c>mallinfo2</c> (bytes in separately mapped blocks).</summary>
public sealed class NativeHeapTuningTests
{
    private const int Mebibyte = 1 << 20;

    [Fact]
    public void A_fixed_threshold_maps_a_large_buffer_on_its_own_even_after_glibc_raised_its_dynamic_threshold()
    {
        if (!NativeHeapTuning.Available)
        {
            Assert.Skip("no glibc mallopt here");
        }

        // Freeing a 16 MiB mapped block raises glibc's dynamic threshold to 16 MiB: a 4 MiB buffer would then come
        // from the arena and stay resident after it is freed.
        Touch(16 * Mebibyte, hold: () => { });
        Assert.True(NativeHeapTuning.SetMmapThreshold(Mebibyte));

        long mapped = 0;
        long before = MappedBytes();
        Touch(4 * Mebibyte, hold: () => mapped = MappedBytes() - before);
        Assert.True(mapped >= 4 * Mebibyte, $"a 4 MiB buffer added {mapped} mapped bytes");
    }

    private static unsafe void Touch(int bytes, Action hold)
    {
        void* block = NativeMemory.Alloc((nuint)bytes);
        try
        {
            new Span<byte>(block, bytes).Fill(1);
            hold();
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }

    private static long MappedBytes() => (long)MallInfo2().hblkhd;

    [DllImport("libc.so.6", EntryPoint = "mallinfo2")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern MallocInfo MallInfo2();

    [StructLayout(LayoutKind.Sequential)]
    private struct MallocInfo
    {
        public nuint arena;
        public nuint ordblks;
        public nuint smblks;
        public nuint hblks;
        public nuint hblkhd;
        public nuint usmblks;
        public nuint fsmblks;
        public nuint uordblks;
        public nuint fordblks;
        public nuint keepcost;
    }
}
