using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests;

public sealed class CatalogAndHealthTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListModels_shows_contracts_states_and_the_default()
    {
        _ = SharedAssets.ModelsDirectory;
        // The listing never waits for loading; a restore with the default model does.
        await fixture.Server.Client.RestoreFileAsync(SharedAssets.Image("palette_color.png"), cancellationToken: Ct);
        ListModelsResponse catalog = await fixture.Server.Client.ListModelsAsync(Ct);
        IList<ModelInfo> models = catalog.Models;

        ModelInfo general = models.Single(m => m.Name == "realesr-general-x4v3");
        Assert.Equal("realesr-general-x4v3", catalog.DefaultModel);
        Assert.Equal((ModelTask.SuperResolution, 4, ModelState.Ready), (general.Task, general.Scale, general.State));
        Assert.Equal((InputRange.ZeroToOne, ColorOrder.Rgb, "NCHW"), (general.Input.Range, general.Input.ColorOrder, general.Input.Layout));
        Assert.Equal((512, 34), (general.TileSize, general.TileMargin));

        ModelInfo retina = models.Single(m => m.Name == "retinaface-mnet025");
        Assert.Equal((ModelTask.FaceDetection, ColorOrder.Bgr), (retina.Task, retina.Input.ColorOrder));
        Assert.Equal([104f, 117f, 123f], retina.Input.Mean);

        Assert.Equal(ModelState.Missing, models.Single(m => m.Name == "GPEN-BFR-512").State);
        Assert.True(models.Single(m => m.Name == "builtin-lanczos-x4").Builtin);
    }

    [Fact]
    public async Task Health_reports_serving_once_the_default_model_is_ready()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Server.Address);
        var health = new Health.HealthClient(channel);
        HealthCheckResponse.Types.ServingStatus status = HealthCheckResponse.Types.ServingStatus.Unknown;
        for (int i = 0; i < 100 && status != HealthCheckResponse.Types.ServingStatus.Serving; i++)
        {
            status = (await health.CheckAsync(new HealthCheckRequest(), cancellationToken: Ct)).Status;
            await Task.Delay(100, Ct);
        }

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status);
    }

    [Fact]
    public async Task Reflection_lists_the_service()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Server.Address);
        var reflection = new ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty }, Ct);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("restoregrpc.v1.RestoreService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task EstimateRestore_predicts_inference_time_from_measured_cost()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Server.Address);
        var client = new RestoreService.RestoreServiceClient(channel);
        RestoreResponse restored = await client.RestoreAsync(new RestoreRequest
        {
            Image = Google.Protobuf.ByteString.CopyFrom(await File.ReadAllBytesAsync(SharedAssets.Image("text.png"), Ct)),
            Options = new RestoreOptions { Model = "realesr-general-x4v3" },
        }, cancellationToken: Ct);

        EstimateRestoreResponse estimate = await client.EstimateRestoreAsync(new EstimateRestoreRequest
        {
            Width = 448,
            Height = 172,
            Options = new RestoreOptions { Model = "realesr-general-x4v3" },
        }, cancellationToken: Ct);

        Assert.Equal((1792, 688, 1), (estimate.OutputWidth, estimate.OutputHeight, estimate.TileCount));
        double actual = restored.Details.Timings.Inference.ToTimeSpan().TotalSeconds;
        double predicted = estimate.EstimatedInference.ToTimeSpan().TotalSeconds;
        Assert.InRange(predicted, actual / 2, actual * 2);
        Assert.True(estimate.EstimatedMemoryBytes > 1792L * 688 * 4);
    }
}
