using Microsoft.Extensions.Logging;
using RestoreGrpc.Core.Models.Precision;

namespace RestoreGrpc.Core.Models;

/// <summary>Which precision a model runs in, and the float16 copy of its file when that is float16.</summary>
public sealed partial class ModelCatalog
{
    /// <summary>"fp32" or "fp16", as status and logs show it.</summary>
    internal static string PrecisionName(ModelPrecision precision) => precision == ModelPrecision.Fp16 ? "fp16" : "fp32";

    /// <summary>
    /// The precision a model gets: its own setting, else the catalog's; <see cref="ModelPrecision.Auto"/> is float16 on
    /// CUDA for every task but face detection (detectors decode coordinates from their outputs), float32 on CPU.
    /// </summary>
    internal static ModelPrecision ResolvePrecision(ModelDescriptor descriptor, ModelPrecision catalogDefault, bool cuda)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ModelPrecision chosen = descriptor.Precision ?? catalogDefault;
        return chosen != ModelPrecision.Auto ? chosen
            : cuda && descriptor.Task != ModelTaskKind.FaceDetection ? ModelPrecision.Fp16
            : ModelPrecision.Fp32;
    }

    /// <summary>The file the sessions load and its precision: the model file itself, or its cached float16 copy. A
    /// graph the converter cannot handle fails the load when float16 was asked for, and runs in float32 (logged) under
    /// <see cref="ModelPrecision.Auto"/>.</summary>
    private async Task<(string Path, string Precision)> SessionFileAsync(ModelDescriptor descriptor, string path, CancellationToken cancellationToken)
    {
        ModelPrecision precision = ResolvePrecision(descriptor, _options.Precision, _sessions.UsesCuda());
        if (precision != ModelPrecision.Fp16)
        {
            return (path, PrecisionName(ModelPrecision.Fp32));
        }

        try
        {
            Fp16CachedModel cached = await _fp16Cache.GetOrCreateAsync(path, cancellationToken).ConfigureAwait(false);
            if (cached.Report is { } report)
            {
                LogFp16Converted(_logger, descriptor.Name, cached.Path, (long)cached.ConversionTime.TotalMilliseconds, report.ConvertedTensors,
                    report.KeptFloat32.Count, report.CastsInserted);
            }

            return (cached.Path, PrecisionName(ModelPrecision.Fp16));
        }
        catch (NotSupportedException e) when ((descriptor.Precision ?? _options.Precision) == ModelPrecision.Auto)
        {
            LogFp16Unsupported(_logger, descriptor.Name, e.Message);
            return (path, PrecisionName(ModelPrecision.Fp32));
        }
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Model {Model} runs in {Precision} on {Provider} from {File}")]
    private static partial void LogPrecision(ILogger logger, string model, string precision, string provider, string file);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information,
        Message = "Model {Model}: float16 copy {File} converted in {ElapsedMs} ms ({Converted} tensors float16, {KeptFloat32} kept float32, {Casts} casts)")]
    private static partial void LogFp16Converted(ILogger logger, string model, string file, long elapsedMs, int converted, int keptFloat32, int casts);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "Model {Model} runs in fp32: its graph cannot be converted to float16: {Reason}")]
    private static partial void LogFp16Unsupported(ILogger logger, string model, string reason);
}
