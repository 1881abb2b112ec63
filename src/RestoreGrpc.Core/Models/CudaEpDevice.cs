using Microsoft.ML.OnnxRuntime;

namespace RestoreGrpc.Core.Models;

/// <summary>
/// ONNX Runtime's CUDA execution provider registered as a plugin library with the process's <see cref="OrtEnv"/>
/// (its <c>libonnxruntime_providers_cuda.so</c> exports the plugin entry points). Registered that way the provider
/// also gives the environment its allocators (device memory and page-locked host memory) and its data transfer, so
/// tensors can live in device memory between runs and be copied by <see cref="OrtEnv.CopyTensors"/>, which the
/// classic <c>AppendExecutionProvider_CUDA</c> route does not offer. Registered once per process.
/// </summary>
internal sealed class CudaEpDevice
{
    public const string ExecutionProviderName = "CUDAExecutionProvider";
    private const string LibraryFile = "libonnxruntime_providers_cuda.so";

    private static readonly Lock RegistrationLock = new();
    private static bool _registered;
    private static string? _registrationFailure;

    private CudaEpDevice(OrtEpDevice device, int ordinal)
    {
        Device = device;
        Ordinal = ordinal;
        DeviceMemory = device.GetMemoryInfo(OrtDeviceMemoryType.DEFAULT);
        HostMemory = device.GetMemoryInfo(OrtDeviceMemoryType.HOST_ACCESSIBLE);
        DeviceAllocator = OrtEnv.Instance().GetSharedAllocator(DeviceMemory);
        HostAllocator = OrtEnv.Instance().GetSharedAllocator(HostMemory);
    }

    /// <summary>The provider's view of the GPU, passed to <see cref="SessionOptions.AppendExecutionProvider(OrtEnv, IReadOnlyList{OrtEpDevice}, IReadOnlyDictionary{string, string})"/>.</summary>
    public OrtEpDevice Device { get; }

    /// <summary>CUDA device ordinal among the provider's devices.</summary>
    public int Ordinal { get; }

    /// <summary>Memory on the GPU.</summary>
    public OrtMemoryInfo DeviceMemory { get; }

    /// <summary>Page-locked host memory that the GPU copies from and to by DMA.</summary>
    public OrtMemoryInfo HostMemory { get; }

    /// <summary>The environment's shared allocator of <see cref="DeviceMemory"/>.</summary>
    public OrtAllocator DeviceAllocator { get; }

    /// <summary>The environment's shared allocator of <see cref="HostMemory"/>.</summary>
    public OrtAllocator HostAllocator { get; }

    /// <summary>
    /// The CUDA device of ordinal <paramref name="ordinal"/> through the plugin route, or null with the reason (no
    /// provider library beside ONNX Runtime, CUDA 13/cuDNN 9 absent, no such device).
    /// </summary>
    public static CudaEpDevice? TryOpen(int ordinal, out string? failure)
    {
        lock (RegistrationLock)
        {
            if (!_registered && _registrationFailure is null)
            {
                Register();
            }

            failure = _registrationFailure;
            if (failure is not null)
            {
                return null;
            }
        }

        try
        {
            OrtEpDevice[] devices = [.. OrtEnv.Instance().GetEpDevices().Where(d => d.EpName == ExecutionProviderName)];
            if (ordinal >= devices.Length)
            {
                failure = $"the CUDA provider lists {devices.Length} device(s); ordinal {ordinal} asked for";
                return null;
            }

            return new CudaEpDevice(devices[ordinal], ordinal);
        }
        catch (OnnxRuntimeException e)
        {
            failure = FirstLine(e.Message);
            return null;
        }
    }

    /// <summary>Appends the provider for this device with the provider options (same keys as the classic route's).</summary>
    public void AppendTo(SessionOptions options, IReadOnlyDictionary<string, string> providerOptions) =>
        options.AppendExecutionProvider(OrtEnv.Instance(), [Device], providerOptions);

    /// <summary>Copies one tensor between host and device memory with the provider's data transfer (synchronous).</summary>
    public static void Copy(OrtValue source, OrtValue destination) => OrtEnv.Instance().CopyTensors([source], [destination], null);

    private static void Register()
    {
        string? library = FindLibrary();
        if (library is null)
        {
            _registrationFailure = $"{LibraryFile} is not beside the application";
            return;
        }

        try
        {
            OrtEnv.Instance().RegisterExecutionProviderLibrary(ExecutionProviderName, library);
            _registered = true;
        }
        catch (OnnxRuntimeException e)
        {
            _registrationFailure = FirstLine(e.Message);
        }
    }

    private static string? FindLibrary()
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, LibraryFile),
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", LibraryFile),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
