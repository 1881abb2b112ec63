using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace RestoreGrpc.Core.Models;

/// <summary>
/// Creates ONNX Runtime sessions on the preferred execution provider. CUDA is tried once per process: where CUDA 13
/// and cuDNN 9 are absent <c>AppendExecutionProvider_CUDA</c> throws, and (unless CUDA was required) every model
/// runs on CPU, logged once.
/// </summary>
public sealed partial class OnnxSessionFactory
{
    public const string CudaProvider = "CUDA";
    public const string CpuProvider = "CPU";

    private readonly ModelCatalogOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _probeLock = new();
    private bool? _cudaWorks;

    public OnnxSessionFactory(ModelCatalogOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    public int IntraOpThreads => _options.IntraOpThreads > 0 ? _options.IntraOpThreads : Environment.ProcessorCount;

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
            string provider = TryAppendCuda(sessionOptions) ? CudaProvider : CpuProvider;
            return (new InferenceSession(modelPath, sessionOptions), provider);
        }
        finally
        {
            sessionOptions.Dispose();
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
                sessionOptions.AppendExecutionProvider_CUDA(_options.CudaDeviceId);
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

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Execution provider: CUDA (device {DeviceId})")]
    private static partial void LogCudaSelected(ILogger logger, int deviceId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Execution provider: CPU ({Threads} intra-op threads). CUDA is unavailable (needs CUDA 13 and cuDNN 9): {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, int threads, string reason);
}
