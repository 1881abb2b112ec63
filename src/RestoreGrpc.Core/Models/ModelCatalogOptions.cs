using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Models.Precision;

namespace RestoreGrpc.Core.Models;

/// <summary>Configuration of the model catalog (section <c>Restore:Models</c> in the server).</summary>
public sealed class ModelCatalogOptions
{
    /// <summary>Folder holding model files; a relative path resolves against the directory the server was started in
    /// (the shell's current directory, under <c>dotnet run</c> as for a published binary).</summary>
    [Required]
    public string Directory { get; set; } = "models";

    /// <summary>Model used when a request names none; empty picks the first ready super-resolution model,
    /// else the built-in resampler.</summary>
    public string? DefaultModel { get; set; }

    [ValidateEnumeratedItems]
    public List<ModelDescriptor> Entries { get; set; } = [];

    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Auto;

    /// <summary>CUDA device ordinal.</summary>
    [Range(0, 1024)]
    public int CudaDeviceId { get; set; }

    /// <summary>
    /// How cuDNN picks convolution algorithms: HEURISTIC (default), EXHAUSTIVE or DEFAULT. EXHAUSTIVE (ONNX Runtime's
    /// default) benchmarks every algorithm the first time each input shape appears, and a dynamic batcher makes many
    /// shapes (every batch size, every small image): on an H200 the server with mixed batch sizes served 22 images/s
    /// where nearly-full batches of one shape served 100.
    /// </summary>
    [AllowedValues("HEURISTIC", "EXHAUSTIVE", "DEFAULT")]
    public string CudnnConvAlgoSearch { get; set; } = "HEURISTIC";

    /// <summary>ONNX Runtime intra-op threads on CPU; 0 uses one per core.</summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    /// <summary>Sessions per model (runs of one model executing at once); 0: two on CUDA, one on CPU. A model's
    /// own <see cref="ModelDescriptor.Instances"/> wins.</summary>
    [Range(0, 64)]
    public int InstancesPerModel { get; set; }

    /// <summary>How runs hand tensors to ONNX Runtime (pinned-memory I/O binding on CUDA by default).</summary>
    public IoBindingMode IoBinding { get; set; } = IoBindingMode.Auto;

    /// <summary>
    /// Precision of models that set none: <c>Auto</c> runs super-resolution and face-restoration models in float16 on
    /// CUDA (detectors stay float32) and everything in float32 on CPU; <c>Fp16</c> converts every model, <c>Fp32</c> none.
    /// </summary>
    public ModelPrecision Precision { get; set; } = ModelPrecision.Auto;

    /// <summary>Where float16 copies go when a model's folder is not writable; empty: <c>restoregrpc-fp16</c> under
    /// the system temp folder.</summary>
    public string? Fp16CacheDirectory { get; set; }

    /// <summary>Core tile edge for models that set none. Large tiles cost less margin compute.</summary>
    [Range(16, 4096)]
    public int DefaultTileSize { get; set; } = 512;

    /// <summary>Download missing files that have a <see cref="ModelDescriptor.Url"/>.</summary>
    public bool DownloadMissing { get; set; } = true;

    /// <summary>The batcher's items per run for models that set none (the host copies it from its batching
    /// settings); warm-up on CUDA runs each batch size up to it.</summary>
    public int BatcherMaxBatch { get; set; } = 4;

    /// <summary>Load-time warm-up; readiness (health) waits for it.</summary>
    public WarmUpMode WarmUp { get; set; } = WarmUpMode.TileShapes;

    /// <summary>Serve the built-in Lanczos resampler as model <see cref="BuiltinModels.ResamplerName"/>.</summary>
    public bool EnableBuiltinResampler { get; set; } = true;
}
