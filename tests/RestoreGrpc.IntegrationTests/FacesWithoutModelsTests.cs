using Grpc.Core;
using RestoreGrpc.Cli;
using RestoreGrpc.Client;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests;

/// <summary>Face tasks on a server whose model folder lacks face models: say which entries are missing and how to add them.</summary>
public sealed class FacesWithoutModelsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_face_restorer_faces_names_the_missing_entries_and_auto_says_faces_were_not_looked_for()
    {
        using var empty = new TempDirectory();
        await using LoopbackServer server = await LoopbackServer.StartAsync($"--Restore:Models:Directory={empty.Path}");
        byte[] image = await File.ReadAllBytesAsync(SharedAssets.Image("astronaut.png"), Ct);

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Client.RestoreAsync(image, new RestoreOptions { Mode = RestoreMode.Faces, Scale = 1 }, Ct));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.DoesNotContain("model 'FaceRestoration'", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("GPEN-BFR-512 (GPEN-BFR-512.onnx)", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Restore:Models:Directory", error.Status.Detail, StringComparison.Ordinal);

        RestoreResult auto = await server.Client.RestoreAsync(image, new RestoreOptions { Mode = RestoreMode.Auto, Scale = 1 }, Ct);
        Assert.Equal(RestoreGrpc.Contracts.V1.RestoreTask.SuperResolution, auto.Details.Task);
        Assert.StartsWith("faces were not looked for: no face-restoration model file", auto.Details.FacesNotSearchedReason, StringComparison.Ordinal);

        // And the CLI prints it.
        using var output = new TempDirectory();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await RestoreCli.RunAsync(
            ["upscale", SharedAssets.Image("astronaut.png"), "-o", output.Path, "--task", "auto", "--scale", "1", "--server", server.Address.ToString()], stdout, stderr, Ct);
        Assert.Equal(0, exit);
        Assert.Contains("note: faces were not looked for: no face-restoration model file", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_face_restorer_but_no_detector_auto_says_faces_were_not_looked_for()
    {
        using var models = new TempDirectory();
        File.CreateSymbolicLink(Path.Combine(models.Path, "face-standin-512.onnx"), SharedAssets.Model("face-standin-512.onnx"));
        await using LoopbackServer server = await LoopbackServer.StartAsync($"--Restore:Models:Directory={models.Path}");
        byte[] image = await File.ReadAllBytesAsync(SharedAssets.Image("astronaut.png"), Ct);

        RestoreResult auto = await server.Client.RestoreAsync(image, new RestoreOptions { Mode = RestoreMode.Auto, Scale = 1 }, Ct);

        Assert.Equal(RestoreGrpc.Contracts.V1.RestoreTask.SuperResolution, auto.Details.Task);
        Assert.StartsWith("faces were not looked for: no face-detection model file", auto.Details.FacesNotSearchedReason, StringComparison.Ordinal);
        Assert.Contains("yunet (yunet_s_dynamic.onnx)", auto.Details.FacesNotSearchedReason, StringComparison.Ordinal);
    }
}
