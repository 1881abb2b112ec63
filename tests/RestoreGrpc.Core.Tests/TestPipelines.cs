using Microsoft.Extensions.Logging.Abstractions;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Tests;

/// <summary>Builds catalogs and pipelines over explicit model entries.</summary>
internal static class TestPipelines
{
    public static ModelDescriptor GeneralX4(string modelsDirectory) => new()
    {
        Name = "realesr-general-x4v3",
        File = Path.Combine(modelsDirectory, "realesr-general-x4v3.onnx"),
        Scale = 4,
        TileMargin = 34,
    };

    public static ModelCatalog Catalog(params ModelDescriptor[] entries) => new(
        new ModelCatalogOptions { Entries = [.. entries], ExecutionProvider = ExecutionProviderPreference.Cpu, WarmUp = WarmUpMode.Minimal },
        Path.GetTempPath(),
        new HttpClient(),
        NullLogger<ModelCatalog>.Instance);

    public static RestorationPipeline Pipeline(ModelCatalog catalog, ImageLimits? limits = null) =>
        new(catalog, Gate, Batcher, limits ?? new ImageLimits(), new EncodingOptions(), NullLogger<RestorationPipeline>.Instance);

    private static InferenceGate Gate { get; } = new(1);

    private static DynamicBatcher Batcher { get; } = new(Gate);
}
