using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Models.Precision;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Core.Tests.Models.Precision;

/// <summary>The Precision option picks the file the sessions load, and the choice shows in the log and the status.</summary>
public sealed class PrecisionOptionTests
{
    private const int PrecisionEventId = 1110;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null, ModelPrecision.Auto, false, ModelTaskKind.SuperResolution, ModelPrecision.Fp32)]
    [InlineData(null, ModelPrecision.Auto, true, ModelTaskKind.SuperResolution, ModelPrecision.Fp16)]
    [InlineData(null, ModelPrecision.Auto, true, ModelTaskKind.FaceRestoration, ModelPrecision.Fp16)]
    [InlineData(null, ModelPrecision.Auto, true, ModelTaskKind.FaceDetection, ModelPrecision.Fp32)]
    [InlineData(ModelPrecision.Fp16, ModelPrecision.Auto, false, ModelTaskKind.SuperResolution, ModelPrecision.Fp16)]
    [InlineData(ModelPrecision.Fp32, ModelPrecision.Fp16, true, ModelTaskKind.SuperResolution, ModelPrecision.Fp32)]
    [InlineData(null, ModelPrecision.Fp16, false, ModelTaskKind.FaceDetection, ModelPrecision.Fp16)]
    [InlineData(ModelPrecision.Auto, ModelPrecision.Fp32, true, ModelTaskKind.SuperResolution, ModelPrecision.Fp16)]
    public void The_model_setting_wins_over_the_catalog_and_auto_means_fp16_on_cuda(
        ModelPrecision? model, ModelPrecision catalog, bool cuda, ModelTaskKind task, ModelPrecision expected)
    {
        var descriptor = new ModelDescriptor { Name = "m", File = "m.onnx", Task = task, Precision = model };
        Assert.Equal(expected, ModelCatalog.ResolvePrecision(descriptor, catalog, cuda));
    }

    [Fact]
    public async Task Auto_on_cpu_loads_the_fp32_file_and_says_so()
    {
        using var folder = new TempModelFolder();
        string source = folder.Copy("realesr-animevideov3-x4.onnx");
        var logger = new RecordingLogger<ModelCatalog>();
        using ModelCatalog catalog = Catalog(new ModelDescriptor { Name = "anime", File = source, Scale = 4, TileMargin = 18 }, ModelPrecision.Auto, logger);

        await catalog.LoadAllAsync(Ct);

        ModelStatus status = catalog.List().Single(m => m.Descriptor.Name == "anime");
        Assert.Equal(ModelState.Ready, status.State);
        Assert.Equal("fp32", status.Precision);
        Assert.Contains("; fp32", status.Detail, StringComparison.Ordinal);
        string message = Assert.Single(logger.Events, e => e.Id.Id == PrecisionEventId).Message;
        Assert.Equal($"Model anime runs in fp32 on CPU from {source}", message);
        Assert.Equal([source], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task Fp16_on_cpu_loads_the_converted_copy_and_restores_like_fp32()
    {
        using var folder = new TempModelFolder();
        string source = folder.Copy("realesr-animevideov3-x4.onnx");
        string copy = Path.Combine(folder.Path, Fp16ModelCache.CachedFileName(source, TempModelFolder.Sha256(source)));
        var logger = new RecordingLogger<ModelCatalog>();
        using ModelCatalog catalog = Catalog(
            new ModelDescriptor { Name = "anime", File = source, Scale = 4, TileMargin = 18, Precision = ModelPrecision.Fp16 }, ModelPrecision.Fp32, logger);

        await catalog.LoadAllAsync(Ct);

        ModelStatus status = catalog.List().Single(m => m.Descriptor.Name == "anime");
        Assert.Equal(ModelState.Ready, status.State);
        Assert.Equal("fp16", status.Precision);
        Assert.Contains($"fp16 copy {copy}", status.Detail, StringComparison.Ordinal);
        Assert.True(File.Exists(copy));
        string message = Assert.Single(logger.Events, e => e.Id.Id == PrecisionEventId).Message;
        Assert.Equal($"Model anime runs in fp16 on CPU from {copy}", message);
        Assert.Single(logger.Events, e => e.Id.Id == 1111);

        // The session serves: a flat mid-grey tile comes back mid-grey (the model adds detail, not a colour cast).
        using ModelLease lease = await catalog.AcquireUpscalerAsync("anime", RequestField.Model, Ct);
        float[] input = Enumerable.Repeat(0.5f, 3 * 16 * 16).ToArray();
        float[] output = new float[input.Length * 16];
        lease.Model.Run(input, output, 1, 16, 16, Ct);
        Assert.All(output, v => Assert.InRange(v, 0.45f, 0.55f));
    }

    [Fact]
    public async Task A_second_catalog_reuses_the_cached_copy()
    {
        using var folder = new TempModelFolder();
        string source = folder.Copy("face-standin-256.onnx");
        var descriptor = new ModelDescriptor { Name = "face", File = source, Task = ModelTaskKind.FaceRestoration, InputRange = InputRange.MinusOneToOne, FixedSize = 256 };
        var firstLog = new RecordingLogger<ModelCatalog>();
        using (ModelCatalog first = Catalog(descriptor, ModelPrecision.Fp16, firstLog))
        {
            await first.LoadAllAsync(Ct);
            Assert.Equal("fp16", first.List().Single(m => m.Descriptor.Name == "face").Precision);
        }

        var secondLog = new RecordingLogger<ModelCatalog>();
        using ModelCatalog second = Catalog(descriptor, ModelPrecision.Fp16, secondLog);
        await second.LoadAllAsync(Ct);

        Assert.Single(firstLog.Events, e => e.Id.Id == 1111);
        Assert.DoesNotContain(secondLog.Events, e => e.Id.Id == 1111);
        Assert.Contains(".fp16-", Assert.Single(secondLog.Events, e => e.Id.Id == PrecisionEventId).Message, StringComparison.Ordinal);
    }

    private static ModelCatalog Catalog(ModelDescriptor descriptor, ModelPrecision precision, RecordingLogger<ModelCatalog> logger) => new(
        new ModelCatalogOptions
        {
            Entries = [descriptor],
            ExecutionProvider = ExecutionProviderPreference.Cpu,
            WarmUp = WarmUpMode.Minimal,
            Precision = precision,
            EnableBuiltinResampler = false,
        },
        Path.GetTempPath(),
        new HttpClient(),
        logger);
}
