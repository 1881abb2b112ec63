using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Core.Tests.Models;

public sealed class ModelCatalogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_model_files_the_builtin_resampler_is_the_default_and_serves()
    {
        using ModelCatalog catalog = TestPipelines.Catalog(new ModelDescriptor { Name = "absent", File = "/nonexistent/absent.onnx", Scale = 4 });
        Assert.Equal(BuiltinModels.ResamplerName, catalog.DefaultModelName);
        Assert.False(catalog.HasRealModels);
        Assert.Equal(ModelState.Missing, catalog.List().Single(m => m.Descriptor.Name == "absent").State);

        using ModelLease modelLease = await catalog.AcquireUpscalerAsync(null, RequestField.Model, Ct);
        IUpscaleModel model = modelLease.Model;
        Assert.Equal(BuiltinModels.ResamplerName, model.Descriptor.Name);
        await Assert.ThrowsAsync<ModelUnavailableException>(() => catalog.AcquireUpscalerAsync("absent", RequestField.Model, Ct));
    }

    [Fact]
    public async Task Unknown_names_and_wrong_tasks_are_refused()
    {
        string yunet = SharedAssets.Model("yunet_s_dynamic.onnx");
        using ModelCatalog catalog = TestPipelines.Catalog(new ModelDescriptor { Name = "yunet", File = yunet, Task = ModelTaskKind.FaceDetection });
        var notFound = await Assert.ThrowsAsync<ModelNotFoundException>(() => catalog.AcquireUpscalerAsync("nope", RequestField.Model, Ct));
        Assert.Contains("builtin-lanczos-x4", notFound.Message, StringComparison.Ordinal);
        var wrongTask = await Assert.ThrowsAsync<InvalidRequestException>(() => catalog.AcquireUpscalerAsync("yunet", RequestField.Model, Ct));
        Assert.Equal(RequestField.Model, wrongTask.Field);
    }

    [Fact]
    public async Task A_real_model_loads_on_cpu_and_becomes_the_default()
    {
        string path = SharedAssets.Model("realesr-animevideov3-x4.onnx");
        using ModelCatalog catalog = TestPipelines.Catalog(new ModelDescriptor { Name = "anime", File = path, Scale = 4, TileMargin = 18 });
        Assert.Equal("anime", catalog.DefaultModelName);
        await catalog.LoadAllAsync(Ct);
        ModelStatus status = catalog.List().Single(m => m.Descriptor.Name == "anime");
        Assert.Equal(ModelState.Ready, status.State);
        Assert.Equal(OnnxSessionFactory.CpuProvider, status.ExecutionProvider);
    }

    [Fact]
    public async Task Tile_shape_warm_up_runs_the_full_window_before_the_model_is_ready()
    {
        string path = SharedAssets.Model("realesr-animevideov3-x4.onnx");
        using var catalog = new ModelCatalog(
            new ModelCatalogOptions
            {
                Entries = [new ModelDescriptor { Name = "anime", File = path, Scale = 4, TileSize = 64, TileMargin = 18 }],
                ExecutionProvider = ExecutionProviderPreference.Cpu,
                WarmUp = WarmUpMode.TileShapes,
            },
            Path.GetTempPath(),
            new HttpClient(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ModelCatalog>.Instance);
        await catalog.LoadAllAsync(Ct);
        ModelStatus status = catalog.List().Single(m => m.Descriptor.Name == "anime");
        Assert.Equal(ModelState.Ready, status.State);
        Assert.Contains("1x100x100", status.Detail, StringComparison.Ordinal); // 64 + 2·18
    }

    [Fact]
    public async Task A_local_file_with_the_wrong_checksum_fails_with_the_reason()
    {
        string path = SharedAssets.Model("realesr-animevideov3-x4.onnx");
        using ModelCatalog catalog = TestPipelines.Catalog(new ModelDescriptor { Name = "anime", File = path, Scale = 4, Sha256 = new string('0', 64) });
        var error = await Assert.ThrowsAsync<ModelUnavailableException>(() => catalog.AcquireUpscalerAsync("anime", RequestField.Model, Ct));
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Equal(ModelState.Failed, catalog.List().Single(m => m.Descriptor.Name == "anime").State);
    }

    [Fact]
    public async Task A_missing_model_is_downloaded_from_its_address_and_verified()
    {
        string source = SharedAssets.Model("realesr-animevideov3-x4.onnx");
        byte[] bytes = await File.ReadAllBytesAsync(source, Ct);
        const string Sha = "3fcb4a570383b20c7db1169f7298655f5e89f3c349032f0f4237596a8009ed6b";
        await using var server = new LoopbackFileServer(new Dictionary<string, byte[]> { ["/models/anime.onnx"] = bytes });
        using var directory = new TempDirectory();
        string destination = directory.Combine("anime.onnx");
        using ModelCatalog catalog = TestPipelines.Catalog(new ModelDescriptor
        {
            Name = "anime",
            File = destination,
            Scale = 4,
            Url = new Uri(server.BaseAddress, "models/anime.onnx").ToString(),
            Sha256 = Sha,
        });

        using ModelLease modelLease = await catalog.AcquireUpscalerAsync("anime", RequestField.Model, Ct);
        IUpscaleModel model = modelLease.Model;
        Assert.Equal(4, model.Scale);
        Assert.Equal(Sha, await ModelDownloader.HashFileAsync(destination, Ct));
        Assert.Equal(1, server.Requests);
        Assert.Single(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public async Task A_download_with_the_wrong_checksum_leaves_no_file_and_fails()
    {
        await using var server = new LoopbackFileServer(new Dictionary<string, byte[]> { ["/m.onnx"] = [1, 2, 3, 4] });
        using var directory = new TempDirectory();
        string destination = directory.Combine("m.onnx");
        using ModelCatalog catalog = TestPipelines.Catalog(new ModelDescriptor
        {
            Name = "m",
            File = destination,
            Scale = 4,
            Url = new Uri(server.BaseAddress, "m.onnx").ToString(),
            Sha256 = new string('a', 64),
        });

        var error = await Assert.ThrowsAsync<ModelUnavailableException>(() => catalog.AcquireUpscalerAsync("m", RequestField.Model, Ct));
        Assert.Contains("mismatch", error.InnerException?.Message ?? error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.GetFiles(directory.Path));
        Assert.Equal(ModelState.Failed, catalog.List().Single(m => m.Descriptor.Name == "m").State);
    }
}
