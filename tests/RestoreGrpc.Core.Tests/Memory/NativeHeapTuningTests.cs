using System.Runtime.InteropServices;
using RestoreGrpc.Core.Memory;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Core.Tests.Memory;

/// <summary>
/// glibc's mmap threshold, checked on the block itself: glibc marks a chunk it mapped on its own with the IS_MMAPPED
/// bit (2) of the size word just before the pointer it returns. The check runs in a process of its own (this test
/// assembly run again for this one test): in the shared test process, free chunks other tests left in the heap's
/// arenas may serve a large allocation whatever the threshold, which glibc rightly does.
/// </summary>
public sealed class NativeHeapTuningTests
{
    private const int Mebibyte = 1 << 20;
    private const string ChildVariable = "RESTOREGRPC_NATIVE_HEAP_TEST_CHILD";

    [Fact]
    public async Task A_fixed_threshold_maps_a_large_buffer_on_its_own_even_after_glibc_raised_its_dynamic_threshold()
    {
        if (!NativeHeapTuning.Available)
        {
            Assert.Skip("no glibc mallopt here");
        }

        if (Environment.GetEnvironmentVariable(ChildVariable) is null)
        {
            string test = $"{typeof(NativeHeapTuningTests).FullName}.{nameof(A_fixed_threshold_maps_a_large_buffer_on_its_own_even_after_glibc_raised_its_dynamic_threshold)}";
            (int exitCode, string output) = await ChildProcess.RunAsync(
                "dotnet", [typeof(NativeHeapTuningTests).Assembly.Location, "-method", test, "-noColor"], AppContext.BaseDirectory,
                TimeSpan.FromMinutes(3), new Dictionary<string, string?> { [ChildVariable] = "1" });
            Assert.True(exitCode == 0 && output.Contains("Total: 1, Errors: 0, Failed: 0", StringComparison.Ordinal), $"the check in its own process (exit {exitCode}):\n{output}");
            return;
        }

        // Freeing a 16 MiB mapped block raises glibc's dynamic threshold to 16 MiB: a 4 MiB buffer would then come
        // from the arena and stay resident after it is freed.
        Assert.True(AllocateAndFree(16 * Mebibyte), "glibc did not map a 16 MiB block on its own");
        Assert.True(NativeHeapTuning.SetMmapThreshold(Mebibyte));

        Assert.True(AllocateAndFree(4 * Mebibyte), "a 4 MiB buffer came from the arena, not a mapping of its own");
    }

    /// <summary>Allocates, touches and frees a block; whether glibc had mapped it on its own.</summary>
    private static unsafe bool AllocateAndFree(int bytes)
    {
        void* block = NativeMemory.Alloc((nuint)bytes);
        try
        {
            new Span<byte>(block, bytes).Fill(1);
            const nuint IsMmapped = 2;
            return (*((nuint*)block - 1) & IsMmapped) != 0;
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }
}
