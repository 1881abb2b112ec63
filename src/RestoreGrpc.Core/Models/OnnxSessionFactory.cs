using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace RestoreGrpc.Core.Models;

/// <summary>
/// Creates ONNX Runtime sessions on the preferred execution provider. CUDA is tried once per process: where CUDA 13
/// and cuDNN 9 are absent <c>AppendExecutionProvider_CUDA</c> throws, and (unless CUDA was required) every model
/// runs on CPU, logged once.
/// </summary>
internal sealed partial class OnnxSessionFactory
{
    public const string CudaProvider = ExecutionProviderNames.Cuda;
    public const string CpuProvider = ExecutionProviderNames.Cpu;

    private readonly ModelCatalogOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _probeLock = new();
    private bool? _cudaWorks;
    private bool _deviceProbed;
    private CudaEpDevice? _device;

    public OnnxSessionFactory(ModelCatalogOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>More CUDA provider options (benchmarks: <c>enable_cuda_graph</c>), added to both routes' options.</summary>
    internal IReadOnlyDictionary<string, string>? ExtraCudaOptions { get; init; }

    public int IntraOpThreads => _options.IntraOpThreads > 0 ? _options.IntraOpThreads : Environment.ProcessorCount;

    /// <summary>
    /// Whether sessions will run on CUDA (probed once: the first call tries to append the CUDA provider).
    /// </summary>
    public bool UsesCuda()
    {
        lock (_probeLock)
        {
            if (_cudaWorks is { } known)
            {
                return known && _options.ExecutionProvider != ExecutionProviderPreference.Cpu;
            }
        }

        using var probe = new SessionOptions();
        return TryAppendCuda(probe);
    }

    /// <summary>Instances per model when neither the model nor the catalog sets them: two on CUDA (one batch's
    /// copies overlap another's kernels), one on CPU (one run already uses every core).</summary>
    public int DefaultInstances(ModelDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.Instances > 0)
        {
            return descriptor.Instances;
        }

        return _options.InstancesPerModel > 0 ? _options.InstancesPerModel : UsesCuda() ? 2 : 1;
    }

    /// <summary>Loads <paramref name="count"/> sessions of one model file on the preferred provider.</summary>
    internal (IReadOnlyList<OnnxSessionInstance> Instances, string Provider) CreateInstances(string modelPath, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var instances = new List<OnnxSessionInstance>(count);
        string provider = CpuProvider;
        try
        {
            for (int i = 0; i < count; i++)
            {
                (InferenceSession session, provider) = Create(modelPath);
                instances.Add(Bind(session, provider));
            }

            return (instances, provider);
        }
        catch
        {
            foreach (OnnxSessionInstance instance in instances)
            {
                instance.Dispose();
            }

            throw;
        }
    }

    public (InferenceSession Session, string Provider) Create(string modelPath)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        try
        {
            if (DeviceBindingDevice() is { } device)
            {
                device.AppendTo(sessionOptions, CudaOptions(includeDeviceId: false));
                return (new InferenceSession(modelPath, sessionOptions), CudaProvider);
            }

            string provider = TryAppendCuda(sessionOptions) ? CudaProvider : CpuProvider;
            return (new InferenceSession(modelPath, sessionOptions), provider);
        }
        finally
        {
            sessionOptions.Dispose();
        }
    }

    /// <summary>
    /// The CUDA device through ONNX Runtime's plugin route when runs bind device memory (<see cref="IoBindingMode.Device"/>
    /// on CUDA); null otherwise or where that route is unavailable (logged once: sessions then take the classic CUDA
    /// route with pinned host tensors).
    /// </summary>
    private CudaEpDevice? DeviceBindingDevice()
    {
        if (_options.IoBinding != IoBindingMode.Device || !UsesCuda())
        {
            return null;
        }

        lock (_probeLock)
        {
            if (!_deviceProbed)
            {
                _deviceProbed = true;
                _device = CudaEpDevice.TryOpen(_options.CudaDeviceId, out string? failure);
                if (_device is null)
                {
                    LogDeviceBindingUnavailable(_logger, failure ?? "unknown");
                }
            }

            return _device;
        }
    }

    /// <summary>Wraps a session with I/O binding where configured: device tensors (or pinned host tensors) on CUDA.</summary>
    private OnnxSessionInstance Bind(InferenceSession session, string provider)
    {
        bool cuda = provider == CudaProvider;
        bool bind = _options.IoBinding switch
        {
            IoBindingMode.Always or IoBindingMode.Device => true,
            IoBindingMode.Auto => cuda,
            _ => false,
        };
        if (!bind)
        {
            return new OnnxSessionInstance(session, null);
        }

        if (!cuda)
        {
            return new OnnxSessionInstance(session, OrtMemoryInfo.DefaultInstance);
        }

        if (DeviceBindingDevice() is { } device)
        {
            return new OnnxSessionInstance(device, session);
        }

        var pinned = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA_PINNED, OrtAllocatorType.DeviceAllocator, _options.CudaDeviceId, OrtMemType.CpuOutput);
        try
        {
            return new OnnxSessionInstance(session, pinned);
        }
        catch (OnnxRuntimeException e)
        {
            pinned.Dispose();
            LogPinnedUnavailable(_logger, e.Message);
            return new OnnxSessionInstance(session, null);
        }
    }

    private bool TryAppendCuda(SessionOptions sessionOptions)
    {
        if (_options.ExecutionProvider == ExecutionProviderPreference.Cpu)
        {
            return false;
        }

        lock (_probeLock)
        {
            if (_cudaWorks == false)
            {
                return false;
            }

            // ONNX Runtime prints its own error when the CUDA libraries are absent; our log line below says it
            // once, with the reason, so its logger is quietened for the probe.
            OrtEnv environment = OrtEnv.Instance();
            OrtLoggingLevel previousLevel = environment.EnvLogLevel;
            environment.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
            try
            {
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(CudaOptions(includeDeviceId: true));
                sessionOptions.AppendExecutionProvider_CUDA(cuda);
                if (_cudaWorks is null)
                {
                    LogCudaSelected(_logger, _options.CudaDeviceId);
                }

                _cudaWorks = true;
                return true;
            }
            catch (OnnxRuntimeException e) when (_options.ExecutionProvider == ExecutionProviderPreference.Auto)
            {
                _cudaWorks = false;
                LogCudaUnavailable(_logger, IntraOpThreads, e.Message);
                return false;
            }
            finally
            {
                environment.EnvLogLevel = previousLevel;
            }
        }
    }

    /// <summary>The CUDA provider's options (the plugin route names the device by its <see cref="OrtEpDevice"/>).</summary>
    private Dictionary<string, string> CudaOptions(bool includeDeviceId)
    {
        var options = new Dictionary<string, string> { ["cudnn_conv_algo_search"] = _options.CudnnConvAlgoSearch };
        if (includeDeviceId)
        {
            options["device_id"] = _options.CudaDeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach ((string key, string value) in ExtraCudaOptions ?? new Dictionary<string, string>())
        {
            options[key] = value;
        }

        return options;
    }

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Device-memory I/O binding is unavailable (CUDA provider's plugin route): {Reason}; sessions bind pinned host tensors")]
    private static partial void LogDeviceBindingUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Pinned host memory is unavailable for I/O binding; runs copy through pageable memory: {Reason}")]
    private static partial void LogPinnedUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Execution provider: CUDA (device {DeviceId})")]
    private static partial void LogCudaSelected(ILogger logger, int deviceId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Execution provider: CPU ({Threads} intra-op threads). CUDA is unavailable (needs CUDA 13 and cuDNN 9): {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, int threads, string reason);
}
