using System.Runtime.InteropServices;
using RestoreGrpc.Core.Telemetry;

namespace RestoreGrpc.Core.Tests.Telemetry;

public sealed class NvmlGpuMonitorTests
{
    [Fact]
    public void Without_NVML_the_monitor_reports_no_GPU_and_does_not_throw()
    {
        using NvmlGpuMonitor monitor = NvmlGpuMonitor.Open("libnvidia-ml-not-installed.so.1");

        Assert.Equal(0, monitor.DeviceCount);
        Assert.Empty(monitor.Sample());
        monitor.Dispose(); // twice is fine
    }

    [Fact]
    public void The_real_NVML_reports_each_GPU_or_nothing_on_a_CPU_machine()
    {
        bool nvmlInstalled = NativeLibrary.TryLoad(NvmlGpuMonitor.DefaultLibrary, out nint library);
        if (nvmlInstalled)
        {
            NativeLibrary.Free(library);
        }

        using NvmlGpuMonitor monitor = NvmlGpuMonitor.Open();
        IReadOnlyList<GpuSample> samples = monitor.Sample();

        if (!nvmlInstalled)
        {
            Assert.Equal(0, monitor.DeviceCount);
            Assert.Empty(samples);
            return;
        }

        Assert.Equal(monitor.DeviceCount, samples.Count);
        Assert.All(samples, gpu =>
        {
            Assert.InRange(gpu.Utilization, 0, 1);
            Assert.InRange(gpu.MemoryUsedBytes, 0, gpu.MemoryTotalBytes);
            Assert.False(string.IsNullOrEmpty(gpu.Name));
        });
    }
}
