using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using RestoreGrpc.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;
using ProtoRestoreOptions = RestoreGrpc.Contracts.V1.RestoreOptions;

namespace RestoreGrpc.IntegrationTests;

/// <summary>The face pipeline through the real server (face restorer: the GPEN-contract stand-in).</summary>
public sealed class FaceEndToEndTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string AnimeX2 = "realesrganv2-animevideo-x2";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RestoreService.RestoreServiceClient Raw()
    {
        var channel = GrpcChannel.ForAddress(fixture.Server.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 256 * 1024 * 1024 });
        return new RestoreService.RestoreServiceClient(channel);
    }

    private static async Task<ByteString> ImageAsync(string name) =>
        ByteString.CopyFrom(await File.ReadAllBytesAsync(SharedAssets.Image(name), Ct));

    [Fact]
    public async Task Auto_routes_a_portrait_through_the_face_path()
    {
        _ = SharedAssets.Model("face-standin-512.onnx");
        RestoreResponse response = await Raw().RestoreAsync(new RestoreRequest
        {
            Image = await ImageAsync("astronaut.png"),
            Options = new ProtoRestoreOptions { Task = RestoreTask.Auto, Model = AnimeX2 },
        }, cancellationToken: Ct);

        Assert.Equal(RestoreTask.FacesAndBackground, response.Details.Task);
        Face face = Assert.Single(response.Faces);
        Assert.True(face.Restored);
        Assert.Equal(5, face.Landmarks.Points.Count);
        Assert.Equal("face-standin-512", response.Details.FaceRestorer);
        Assert.Equal("yunet", response.Details.FaceDetector);
        Assert.Equal((1024, 1024), (response.Output.Width, response.Output.Height));
        Assert.True(response.Details.Timings.FaceRestoration.ToTimeSpan() > TimeSpan.Zero);

        // The transform maps the input's left eye to the template's left eye (192.98, 239.95 in a 512 crop), roughly.
        Point eye = face.Landmarks.Points[0];
        double x = (face.Transform.A * eye.X) - (face.Transform.B * eye.Y) + face.Transform.Tx;
        double y = (face.Transform.B * eye.X) + (face.Transform.A * eye.Y) + face.Transform.Ty;
        Assert.InRange(x, 180, 206);
        Assert.InRange(y, 227, 253);
    }

    [Fact]
    public async Task Auto_routes_a_building_through_super_resolution_only()
    {
        _ = SharedAssets.Model("face-standin-512.onnx");
        RestoreResponse response = await Raw().RestoreAsync(new RestoreRequest
        {
            Image = await ImageAsync("building.jpg"),
            Options = new ProtoRestoreOptions { Task = RestoreTask.Auto, Model = AnimeX2 },
        }, cancellationToken: Ct);

        Assert.Equal(RestoreTask.SuperResolution, response.Details.Task);
        Assert.Empty(response.Faces);
        Assert.Equal((1736, 1200), (response.Output.Width, response.Output.Height));
    }

    [Fact]
    public async Task Faces_only_keeps_the_size_and_caller_landmarks_skip_detection()
    {
        _ = SharedAssets.Model("face-standin-512.onnx");
        var given = new FaceLandmarks();
        given.Points.AddRange(new (float X, float Y)[] { (192, 143.5f), (237.5f, 135.5f), (220.5f, 165.5f), (201.5f, 194), (241, 187.5f) }
            .Select(p => new Point { X = p.X, Y = p.Y }));
        var options = new ProtoRestoreOptions { Task = RestoreTask.Faces, Faces = new FaceOptions { Blend = 0.7f } };
        options.Faces.Landmarks.Add(given);

        RestoreResponse response = await Raw().RestoreAsync(new RestoreRequest { Image = await ImageAsync("astronaut.png"), Options = options }, cancellationToken: Ct);

        Assert.Equal(RestoreTask.Faces, response.Details.Task);
        Assert.Equal((512, 512), (response.Output.Width, response.Output.Height));
        Assert.Equal("caller", response.Details.FaceDetector);
        Assert.Equal(0, response.Details.TileCount);
        Assert.Equal(1f, Assert.Single(response.Faces).Score);
    }

    [Fact]
    public async Task DetectFaces_lists_faces_without_restoring()
    {
        _ = SharedAssets.ModelsDirectory;
        DetectFacesResponse messi = await Raw().DetectFacesAsync(new DetectFacesRequest { Image = await ImageAsync("messi5.jpg") }, cancellationToken: Ct);
        Face face = Assert.Single(messi.Faces);
        Assert.False(face.Restored);
        Assert.True(face.Score > 0.6f);
        Assert.All(face.Landmarks.Points, p => Assert.True(p.X >= face.Box.X && p.X <= face.Box.X + face.Box.Width));

        DetectFacesResponse text = await Raw().DetectFacesAsync(
            new DetectFacesRequest { Image = await ImageAsync("text.png"), Detector = "retinaface-mnet025" },
            cancellationToken: Ct);
        Assert.Empty(text.Faces);
        Assert.Equal("retinaface-mnet025", text.Detector);
    }

    [Fact]
    public async Task Bad_face_options_name_their_field()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw().RestoreAsync(new RestoreRequest
        {
            Image = await ImageAsync("palette_color.png"),
            Options = new ProtoRestoreOptions { Task = RestoreTask.Faces, Faces = new FaceOptions { Blend = 1.5f } },
        }, cancellationToken: Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("options.faces.blend", Assert.Single(error.FieldViolations()).Field);

        error = await Assert.ThrowsAsync<RpcException>(async () => await Raw().RestoreAsync(new RestoreRequest
        {
            Image = await ImageAsync("palette_color.png"),
            Options = new ProtoRestoreOptions { Task = RestoreTask.Faces, Faces = new FaceOptions { Restorer = "realesr-general-x4v3" } },
        }, cancellationToken: Ct));
        Assert.Equal("options.faces.restorer", Assert.Single(error.FieldViolations()).Field);
    }
}
