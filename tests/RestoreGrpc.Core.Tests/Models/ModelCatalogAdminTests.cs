using Microsoft.Extensions.Logging.Abstractions;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Core.Tests.Models;

/// <summary>Live model management in the catalog: hot swap with leases, unload, failed reloads, run-time entries,
/// configuration changes. Real models copied to a temp folder, so files can change under the catalog.</summary>
public sealed class ModelCatalogAdminTests : IDisposable
{
    private const string Anime = "realesr-animevideov3-x4.onnx";
    private const string AnimeX2 = "realesrganv2-animevideo-x2.onnx";
    private readonly TempModelFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Reload_swaps_in_a_new_session_and_the_old_one_lives_until_its_last_lease_goes()
    {
        _folder.Copy(Anime, "m.onnx");
        using ModelCatalog catalog = Catalog(Entry("m", "m.onnx"));
        await catalog.LoadAllAsync(Ct);

        ModelLease running = await catalog.AcquireUpscalerAsync("m", RequestField.Model, Ct);
        Assert.Equal(2, catalog.SessionHolders("m"));

        ModelStatus reloaded = await catalog.ReloadAsync("m", Ct);
        Assert.Equal(ModelState.Ready, reloaded.State);
        using (ModelLease next = await catalog.AcquireUpscalerAsync("m", RequestField.Model, Ct))
        {
            Assert.NotSame(running.Model, next.Model);
            Assert.Equal(2, catalog.SessionHolders("m"));
        }

        // The request that started before the reload still runs on its session, and gets the same pixels.
        float[] before = RunTiny(running.Model);
        using (ModelLease next = await catalog.AcquireUpscalerAsync("m", RequestField.Model, Ct))
        {
            Assert.Equal(before, RunTiny(next.Model));
        }

        IUpscaleModel old = running.Model;
        running.Dispose();
        Assert.Throws<ObjectDisposedException>(() => RunTiny(old));
    }

    [Fact]
    public async Task Unload_refuses_new_requests_lets_running_ones_finish_and_load_brings_it_back()
    {
        _folder.Copy(Anime, "default.onnx");
        _folder.Copy(AnimeX2, "x2.onnx");
        using ModelCatalog catalog = Catalog(Entry("default", "default.onnx"), Entry("x2", "x2.onnx", scale: 2));
        await catalog.LoadAllAsync(Ct);

        using ModelLease running = await catalog.AcquireUpscalerAsync("x2", RequestField.Model, Ct);
        ModelStatus unloaded = await catalog.UnloadAsync("x2", Ct);
        Assert.Equal(ModelState.Unloaded, unloaded.State);
        Assert.False(unloaded.Serving);
        var refused = await Assert.ThrowsAsync<ModelUnavailableException>(() => catalog.AcquireUpscalerAsync("x2", RequestField.Model, Ct));
        Assert.Contains("unloaded", refused.Message, StringComparison.Ordinal);
        Assert.Equal(3 * 8 * 8 * 4, RunTiny(running.Model).Length);

        // The default model cannot be unloaded: requests naming no model would all fail.
        await Assert.ThrowsAsync<ModelUnavailableException>(() => catalog.UnloadAsync("default", Ct));

        ModelStatus loaded = await catalog.LoadAsync("x2", Ct);
        Assert.Equal(ModelState.Ready, loaded.State);
        using ModelLease again = await catalog.AcquireUpscalerAsync("x2", RequestField.Model, Ct);
        Assert.Equal(2, again.Model.Scale);
    }

    [Fact]
    public async Task A_truncated_file_fails_the_reload_and_the_previous_session_keeps_serving()
    {
        _folder.Copy(Anime, "m.onnx");
        using ModelCatalog catalog = Catalog(Entry("m", "m.onnx"));
        await catalog.LoadAllAsync(Ct);
        float[] before;
        using (ModelLease lease = await catalog.AcquireUpscalerAsync("m", RequestField.Model, Ct))
        {
            before = RunTiny(lease.Model);
        }

        _folder.Truncate("m.onnx", 1000);
        ModelStatus failed = await catalog.ReloadAsync("m", Ct);
        Assert.Equal(ModelState.Failed, failed.State);
        Assert.True(failed.Serving);
        Assert.Contains("keeps serving", failed.Detail, StringComparison.Ordinal);

        using ModelLease after = await catalog.AcquireUpscalerAsync("m", RequestField.Model, Ct);
        Assert.Equal(before, RunTiny(after.Model));
    }

    [Fact]
    public async Task A_checksum_mismatch_fails_the_reload()
    {
        string path = _folder.Copy(Anime, "m.onnx");
        using ModelCatalog catalog = Catalog(Entry("m", "m.onnx", sha256: TempModelFolder.Sha256(path)));
        await catalog.LoadAllAsync(Ct);
        Assert.Equal(ModelState.Ready, catalog.Find("m")!.State);

        _folder.Copy(AnimeX2, "m.onnx");
        ModelStatus failed = await catalog.ReloadAsync("m", Ct);
        Assert.Equal(ModelState.Failed, failed.State);
        Assert.Contains("SHA-256", failed.Detail, StringComparison.Ordinal);
        using ModelLease still = await catalog.AcquireUpscalerAsync("m", RequestField.Model, Ct);
        Assert.Equal(4, still.Model.Scale);
    }

    [Fact]
    public async Task New_entries_come_from_a_file_in_the_model_folder_with_a_matching_checksum()
    {
        _folder.Copy(Anime, "default.onnx");
        string x2 = _folder.Copy(AnimeX2, "x2.onnx");
        string sha = TempModelFolder.Sha256(x2);
        using ModelCatalog catalog = Catalog(Entry("default", "default.onnx"));

        Assert.Equal(RequestField.NewModelFile, (await Assert.ThrowsAsync<InvalidRequestException>(() => catalog.AddAsync(New("n", "../x2.onnx", sha), Ct))).Field);
        Assert.Equal(RequestField.NewModelFile, (await Assert.ThrowsAsync<InvalidRequestException>(() => catalog.AddAsync(New("n", x2, sha), Ct))).Field);
        Assert.Equal(RequestField.NewModelFile, (await Assert.ThrowsAsync<InvalidRequestException>(() => catalog.AddAsync(New("n", "absent.onnx", sha), Ct))).Field);
        Assert.Equal(RequestField.NewModelSha256, (await Assert.ThrowsAsync<InvalidRequestException>(() => catalog.AddAsync(New("n", "x2.onnx", "abc"), Ct))).Field);
        Assert.Equal(RequestField.NewModelName, (await Assert.ThrowsAsync<InvalidRequestException>(() => catalog.AddAsync(New(" ", "x2.onnx", sha), Ct))).Field);
        await Assert.ThrowsAsync<ModelAlreadyExistsException>(() => catalog.AddAsync(New("default", "x2.onnx", sha), Ct));

        ModelStatus wrong = await catalog.AddAsync(New("n", "x2.onnx", new string('0', 64)), Ct);
        Assert.Equal(ModelState.Failed, wrong.State);
        Assert.Null(catalog.Find("n"));

        ModelStatus added = await catalog.AddAsync(New("n", "x2.onnx", sha), Ct);
        Assert.Equal(ModelState.Ready, added.State);
        using ModelLease lease = await catalog.AcquireUpscalerAsync("n", RequestField.Model, Ct);
        Assert.Equal(2, lease.Model.Scale);
    }

    [Fact]
    public async Task The_default_can_switch_to_a_ready_super_resolution_model_only()
    {
        _folder.Copy(Anime, "a.onnx");
        _folder.Copy(AnimeX2, "b.onnx");
        using ModelCatalog catalog = Catalog(Entry("a", "a.onnx"), Entry("b", "b.onnx", scale: 2), Entry("gone", "gone.onnx"));
        await catalog.LoadAllAsync(Ct);

        Assert.Equal("b", catalog.SetDefaultModel("B"));
        Assert.Equal("b", catalog.DefaultModelName);
        using (ModelLease lease = await catalog.AcquireUpscalerAsync(null, RequestField.Model, Ct))
        {
            Assert.Equal(2, lease.Model.Scale);
        }

        Assert.Throws<ModelNotFoundException>(() => catalog.SetDefaultModel("nope"));
        Assert.Throws<ModelUnavailableException>(() => catalog.SetDefaultModel("gone"));
    }

    [Fact]
    public async Task A_changed_configuration_adds_removes_and_reloads_entries()
    {
        _folder.Copy(Anime, "a.onnx");
        _folder.Copy(AnimeX2, "b.onnx");
        using ModelCatalog catalog = Catalog(Entry("a", "a.onnx"), Entry("b", "b.onnx", scale: 2));
        await catalog.LoadAllAsync(Ct);
        ModelLease oldA = await catalog.AcquireUpscalerAsync("a", RequestField.Model, Ct);

        CatalogChanges changes = await catalog.ApplyConfigurationAsync(
            Options(Entry("a", "a.onnx", description: "changed"), Entry("c", "b.onnx", scale: 2)),
            Ct);

        Assert.Equal(["c"], changes.Added);
        Assert.Equal(["b"], changes.Removed);
        Assert.Equal(["a"], changes.Reloaded);
        Assert.Null(catalog.Find("b"));
        Assert.Equal(ModelState.Ready, catalog.Find("c")!.State);
        Assert.Equal("changed", catalog.Find("a")!.Descriptor.Description);
        using (ModelLease newA = await catalog.AcquireUpscalerAsync("a", RequestField.Model, Ct))
        {
            Assert.NotSame(oldA.Model, newA.Model);
        }

        Assert.Equal(3 * 8 * 8 * 16, RunTiny(oldA.Model).Length);
        oldA.Dispose();

        CatalogChanges none = await catalog.ApplyConfigurationAsync(
            Options(Entry("a", "a.onnx", description: "changed"), Entry("c", "b.onnx", scale: 2)),
            Ct);
        Assert.Empty(none.Added.Concat(none.Removed).Concat(none.Reloaded));
    }

    private static float[] RunTiny(IUpscaleModel model)
    {
        float[] input = [.. Enumerable.Range(0, 3 * 8 * 8).Select(i => (i % 17) / 17f)];
        float[] output = new float[input.Length * model.Scale * model.Scale];
        model.Run(input, output, 1, 8, 8, CancellationToken.None);
        return output;
    }

    private static ModelDescriptor Entry(string name, string file, int scale = 4, string? sha256 = null, string description = "") =>
        new() { Name = name, File = file, Scale = scale, TileMargin = 18, Sha256 = sha256, Description = description };

    private static ModelDescriptor New(string name, string file, string sha256) =>
        new() { Name = name, File = file, Scale = 2, TileMargin = 18, Sha256 = sha256 };

    private ModelCatalogOptions Options(params ModelDescriptor[] entries) => new()
    {
        Directory = _folder.Path,
        Entries = [.. entries],
        ExecutionProvider = ExecutionProviderPreference.Cpu,
        WarmUp = WarmUpMode.Minimal,
        IntraOpThreads = 1,
        EnableBuiltinResampler = false,
    };

    private ModelCatalog Catalog(params ModelDescriptor[] entries) =>
        new(Options(entries), _folder.Path, new HttpClient(), NullLogger<ModelCatalog>.Instance);
}
