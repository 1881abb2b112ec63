using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using RestoreGrpc.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Server.Health;
using RestoreGrpc.TestSupport;
using RestoreOptions = RestoreGrpc.Client.RestoreOptions;

namespace RestoreGrpc.IntegrationTests.Models;

/// <summary>ModelAdminService end to end through the C# SDK: load, unload, reload, default, run-time entries, errors,
/// failed reloads, per-model health.</summary>
public sealed class ModelAdminTests : IDisposable
{
    private readonly TempModelFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Load_unload_reload_and_default_round_trip()
    {
        await using LoopbackServer server = await ModelServer.StartAsync(_folder);
        RestoreClient client = server.Client;
        byte[] image = ModelServer.SmallImage();

        ModelInfo reloaded = await client.ReloadModelAsync("anime", Ct);
        Assert.Equal(ModelState.Ready, reloaded.State);
        Assert.Equal(96, (await client.RestoreAsync(image, cancellationToken: Ct)).Output.Width);

        ModelInfo unloaded = await client.UnloadModelAsync("x2", Ct);
        Assert.Equal(ModelState.Unloaded, unloaded.State);
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.RestoreAsync(image, new RestoreOptions { Model = "x2" }, Ct));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(ModelState.Unloaded, (await client.ListModelsAsync(Ct)).Models.Single(m => m.Name == "x2").State);

        Assert.Equal(ModelState.Ready, (await client.LoadModelAsync("x2", Ct)).State);
        Assert.Equal(48, (await client.RestoreAsync(image, new RestoreOptions { Model = "x2" }, Ct)).Output.Width);

        Assert.Equal("x2", await client.SetDefaultModelAsync("x2", Ct));
        Assert.Equal("x2", (await client.ListModelsAsync(Ct)).DefaultModel);
        Assert.Equal(48, (await client.RestoreAsync(image, cancellationToken: Ct)).Output.Width);

        // The default cannot be unloaded; unknown names are NOT_FOUND; a name is required.
        Assert.Equal(StatusCode.FailedPrecondition, (await Assert.ThrowsAsync<RpcException>(() => client.UnloadModelAsync("x2", Ct))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => client.ReloadModelAsync("nope", Ct))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => client.SetDefaultModelAsync("nope", Ct))).StatusCode);
        var noName = await Assert.ThrowsAsync<RpcException>(() => client.LoadModelAsync(string.Empty, Ct));
        Assert.Equal(StatusCode.InvalidArgument, noName.StatusCode);
        Assert.Equal("name", Assert.Single(noName.FieldViolations()).Field);
    }

    [Fact]
    public async Task New_models_are_added_from_the_model_folder_with_their_checksum()
    {
        await using LoopbackServer server = await ModelServer.StartAsync(_folder);
        RestoreClient client = server.Client;
        string file = _folder.Copy(ModelServer.AnimeX2, "added.onnx");
        string sha = TempModelFolder.Sha256(file);
        NewModel New(string name, string fileName, string sha256) => new()
        {
            Name = name,
            File = fileName,
            Sha256 = sha256,
            Task = ModelTask.SuperResolution,
            Scale = 2,
            TileMargin = 18,
        };

        (string Field, StatusCode Code) Refusal(RpcException e) => (Assert.Single(e.FieldViolations()).Field, e.StatusCode);
        Assert.Equal(("new_model.file", StatusCode.InvalidArgument), Refusal(await Assert.ThrowsAsync<RpcException>(() => client.LoadModelAsync(New("n", "../added.onnx", sha), Ct))));
        Assert.Equal(("new_model.file", StatusCode.InvalidArgument), Refusal(await Assert.ThrowsAsync<RpcException>(() => client.LoadModelAsync(New("n", file, sha), Ct))));
        Assert.Equal(("new_model.sha256", StatusCode.InvalidArgument), Refusal(await Assert.ThrowsAsync<RpcException>(() => client.LoadModelAsync(New("n", "added.onnx", ""), Ct))));
        Assert.Equal(("new_model.task", StatusCode.InvalidArgument), Refusal(await Assert.ThrowsAsync<RpcException>(() => client.LoadModelAsync(new NewModel { Name = "n", File = "added.onnx", Sha256 = sha }, Ct))));
        var duplicate = await Assert.ThrowsAsync<RpcException>(() => client.LoadModelAsync(New("anime", "added.onnx", sha), Ct));
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);

        ModelInfo mismatch = await client.LoadModelAsync(New("n", "added.onnx", new string('a', 64)), Ct);
        Assert.Equal(ModelState.Failed, mismatch.State);
        Assert.Contains("SHA-256", mismatch.StateDetail, StringComparison.Ordinal);
        Assert.DoesNotContain(_folder.Path, mismatch.StateDetail, StringComparison.Ordinal);
        Assert.DoesNotContain((await client.ListModelsAsync(Ct)).Models, m => m.Name == "n");

        ModelInfo added = await client.LoadModelAsync(New("n", "added.onnx", sha), Ct);
        Assert.Equal(ModelState.Ready, added.State);
        Assert.Equal(48, (await client.RestoreAsync(ModelServer.SmallImage(), new RestoreOptions { Model = "n" }, Ct)).Output.Width);
    }

    [Fact]
    public async Task A_truncated_file_fails_the_reload_and_the_old_model_serves_identical_pixels()
    {
        await using LoopbackServer server = await ModelServer.StartAsync(_folder);
        RestoreClient client = server.Client;
        byte[] image = ModelServer.SmallImage();
        RestoreResult before = await client.RestoreAsync(image, cancellationToken: Ct);

        _folder.Truncate("anime.onnx", 4096);
        ModelInfo failed = await client.ReloadModelAsync("anime", Ct);
        Assert.Equal(ModelState.Failed, failed.State);
        Assert.Contains("keeps serving", failed.StateDetail, StringComparison.Ordinal);

        RestoreResult after = await client.RestoreAsync(image, cancellationToken: Ct);
        Assert.Equal(before.Image.ToArray(), after.Image.ToArray());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await HealthOf(server, "anime"));

        // Putting a good file back and reloading makes it READY again.
        _folder.Copy(ModelServer.Anime, "anime.onnx");
        Assert.Equal(ModelState.Ready, (await client.ReloadModelAsync("anime", Ct)).State);
    }

    [Fact]
    public async Task A_checksum_mismatch_fails_the_reload_and_the_old_model_serves()
    {
        _folder.Copy(ModelServer.Anime, "pinned.onnx");
        string sha = TempModelFolder.Sha256(Path.Combine(_folder.Path, "pinned.onnx"));
        await using LoopbackServer server = await ModelServer.StartAsync(
            _folder,
            null,
            [.. ModelServer.Entry(22, "pinned", "pinned.onnx", 4), $"--Restore:Models:Entries:22:Sha256={sha}"]);
        RestoreClient client = server.Client;
        Assert.Equal(ModelState.Ready, (await client.LoadModelAsync("pinned", Ct)).State);

        _folder.Copy(ModelServer.AnimeX2, "pinned.onnx");
        ModelInfo failed = await client.ReloadModelAsync("pinned", Ct);
        Assert.Equal(ModelState.Failed, failed.State);
        Assert.Contains("SHA-256", failed.StateDetail, StringComparison.Ordinal);
        Assert.Equal(96, (await client.RestoreAsync(ModelServer.SmallImage(), new RestoreOptions { Model = "pinned" }, Ct)).Output.Width);
    }

    [Fact]
    public async Task Each_model_has_a_readiness_name_in_grpc_health()
    {
        await using LoopbackServer server = await ModelServer.StartAsync(_folder);
        await server.Client.LoadModelAsync("x2", Ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await HealthOf(server, "x2"));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await HealthOf(server, "GPEN-BFR-512"));

        await server.Client.UnloadModelAsync("x2", Ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, await HealthOf(server, "x2"));

        using var channel = GrpcChannel.ForAddress(server.Address);
        var health = new Health.HealthClient(channel);
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = HealthServices.ModelPrefix + "nope" }, cancellationToken: Ct));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);

        // Watch sends the current status, then each change.
        using var watchCancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using AsyncServerStreamingCall<HealthCheckResponse> watch = health.Watch(new HealthCheckRequest { Service = HealthServices.ModelPrefix + "x2" }, cancellationToken: watchCancel.Token);
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, watch.ResponseStream.Current.Status);
        await server.Client.LoadModelAsync("x2", Ct);
        Assert.True(await watch.ResponseStream.MoveNext(Ct));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);
        await watchCancel.CancelAsync();
    }

    internal static async Task<HealthCheckResponse.Types.ServingStatus> HealthOf(LoopbackServer server, string model)
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var health = new Health.HealthClient(channel);
        return (await health.CheckAsync(new HealthCheckRequest { Service = HealthServices.ModelPrefix + model }, cancellationToken: Ct)).Status;
    }
}
