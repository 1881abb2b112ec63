using System.Runtime.InteropServices;
using System.Text;

namespace RestoreGrpc.Core.Telemetry;

/// <summary>
/// GPU utilisation and memory through NVML (<c>libnvidia-ml.so.1</c>, installed with the NVIDIA driver), called by
/// P/Invoke through function pointers resolved at run time. Where the library is missing or NVML cannot start (no
/// driver, no device: every CPU machine) the monitor has no devices and <see cref="Sample"/> returns nothing: no
/// exception, no log noise. Thread-safe (NVML is); one instance per process is enough.
/// </summary>
public sealed unsafe class NvmlGpuMonitor : IDisposable
{
    /// <summary>The NVML library name on Linux.</summary>
    public const string DefaultLibrary = "libnvidia-ml.so.1";

    private const int Success = 0;
    private const int NameLength = 96;

    private readonly nint _library;
    private readonly nint[] _devices = [];
    private readonly string[] _names = [];
    private readonly delegate* unmanaged<nint, Utilization*, int> _getUtilization;
    private readonly delegate* unmanaged<nint, Memory*, int> _getMemory;
    private readonly delegate* unmanaged<int> _shutdown;
    private int _disposed;

    private NvmlGpuMonitor(string library)
    {
        if (!NativeLibrary.TryLoad(library, out _library))
        {
            return;
        }

        if (!TryExport(_library, "nvmlInit_v2", out nint init)
            || !TryExport(_library, "nvmlShutdown", out nint shutdown)
            || !TryExport(_library, "nvmlDeviceGetCount_v2", out nint getCount)
            || !TryExport(_library, "nvmlDeviceGetHandleByIndex_v2", out nint getHandle)
            || !TryExport(_library, "nvmlDeviceGetName", out nint getName)
            || !TryExport(_library, "nvmlDeviceGetUtilizationRates", out nint getUtilization)
            || !TryExport(_library, "nvmlDeviceGetMemoryInfo", out nint getMemory)
            || ((delegate* unmanaged<int>)init)() != Success)
        {
            NativeLibrary.Free(_library);
            _library = 0;
            return;
        }

        _shutdown = (delegate* unmanaged<int>)shutdown;
        _getUtilization = (delegate* unmanaged<nint, Utilization*, int>)getUtilization;
        _getMemory = (delegate* unmanaged<nint, Memory*, int>)getMemory;

        uint count = 0;
        if (((delegate* unmanaged<uint*, int>)getCount)(&count) != Success)
        {
            count = 0;
        }

        var devices = new List<nint>();
        var names = new List<string>();
        byte* name = stackalloc byte[NameLength];
        for (uint i = 0; i < count; i++)
        {
            nint device = 0;
            if (((delegate* unmanaged<uint, nint*, int>)getHandle)(i, &device) != Success)
            {
                continue;
            }

            devices.Add(device);
            names.Add(((delegate* unmanaged<nint, byte*, uint, int>)getName)(device, name, NameLength) == Success
                ? Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name))
                : $"GPU {i}");
        }

        _devices = [.. devices];
        _names = [.. names];
    }

    /// <summary>GPUs found (0 without NVML).</summary>
    public int DeviceCount => _devices.Length;

    /// <summary>Opens NVML from <paramref name="library"/>; a monitor with no devices when it is unavailable.</summary>
    public static NvmlGpuMonitor Open(string library = DefaultLibrary) => new(library);

    /// <summary>Current utilisation and memory of each GPU; empty without NVML. A device that fails to answer is left out.</summary>
    public IReadOnlyList<GpuSample> Sample()
    {
        if (_devices.Length == 0 || Volatile.Read(ref _disposed) != 0)
        {
            return [];
        }

        var samples = new List<GpuSample>(_devices.Length);
        for (int i = 0; i < _devices.Length; i++)
        {
            Utilization utilization;
            Memory memory;
            if (_getUtilization(_devices[i], &utilization) == Success && _getMemory(_devices[i], &memory) == Success)
            {
                samples.Add(new GpuSample(i, _names[i], utilization.Gpu / 100.0, (long)memory.Used, (long)memory.Total));
            }
        }

        return samples;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _library != 0)
        {
            _shutdown();
            NativeLibrary.Free(_library);
        }
    }

    private static bool TryExport(nint library, string name, out nint address) =>
        NativeLibrary.TryGetExport(library, name, out address);

    /// <summary>nvmlUtilization_t: percentages over the last sample period.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Utilization
    {
        public uint Gpu;
        public uint Memory;
    }

    /// <summary>nvmlMemory_t: bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Memory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }
}
