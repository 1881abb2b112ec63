using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using RestoreGrpc.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;
using ClientOptions = RestoreGrpc.Client.RestoreOptions;
using ProtoOptions = RestoreGrpc.Contracts.V1.RestoreOptions;

namespace RestoreGrpc.IntegrationTests;

/// <summary>
/// Damaged images and undefined option values through the real server: always OK or INVALID_ARGUMENT with the field
/// named, never INTERNAL or UNKNOWN, and the server keeps serving.
/// </summary>
public sealed class InputValidationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Lanczos = "builtin-lanczos-x4";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RestoreService.RestoreServiceClient Raw() =>
        new(GrpcChannel.ForAddress(fixture.Server.Address, new GrpcChannelOptions { MaxSendMessageSize = 80 * 1024 * 1024 }));

    [Fact]
    public async Task A_png_cut_to_half_its_length_is_invalid_argument_naming_image()
    {
        byte[] whole = await File.ReadAllBytesAsync(SharedAssets.Image("astronaut.png"), Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Client.RestoreAsync(whole.AsMemory(0, whole.Length / 2), new ClientOptions { Model = Lanczos }, Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        (string field, string description) = Assert.Single(error.FieldViolations());
        Assert.Equal("image", field);
        Assert.Contains("truncated", description, StringComparison.Ordinal);
    }

    /// <remarks>
    /// 24 MiB: under Kestrel's default 30 MB request body limit, which still answers UNKNOWN above it until that limit
    /// is aligned with MaxReceiveMessageBytes (issue 21, item 3). The decoder's own 64 MiB case is in
    /// MutatedImageTests.
    /// </remarks>
    [Fact]
    public async Task Noise_behind_a_png_signature_is_invalid_argument_or_resource_exhausted()
    {
        byte[] bytes = new byte[24 * 1024 * 1024];
        new Random(64).NextBytes(bytes);
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw().RestoreAsync(
            new RestoreRequest { Image = ByteString.CopyFrom(bytes), Options = new ProtoOptions { Model = Lanczos } }, cancellationToken: Ct));
        Assert.True(error.StatusCode is StatusCode.InvalidArgument or StatusCode.ResourceExhausted, error.Status.ToString());
        await AssertStillServingAsync();
    }

    public static TheoryData<string, string> UndefinedEnums => new()
    {
        { "options.task", "task" },
        { "options.priority", "priority" },
        { "options.output.format", "format" },
        { "options.faces.selection", "selection" },
    };

    [Theory]
    [MemberData(nameof(UndefinedEnums))]
    public async Task An_undefined_enum_value_is_refused_naming_its_field(string field, string which)
    {
        var options = new ProtoOptions { Model = Lanczos };
        switch (which)
        {
            case "task":
                options.Task = (RestoreTask)99;
                break;
            case "priority":
                options.Priority = (Priority)99;
                break;
            case "format":
                options.Output = new OutputOptions { Format = (ImageFormat)99 };
                break;
            default:
                options.Faces = new FaceOptions { Selection = (FaceSelection)99 };
                break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw().RestoreAsync(
            new RestoreRequest { Image = ByteString.CopyFrom(await File.ReadAllBytesAsync(SharedAssets.Image("palette_color.png"), Ct)), Options = options }, cancellationToken: Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        (string named, string description) = Assert.Single(error.FieldViolations());
        Assert.Equal(field, named);
        Assert.Contains("99", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scale_that_leaves_less_than_one_pixel_is_refused_naming_options_scale()
    {
        byte[] image = await File.ReadAllBytesAsync(SharedAssets.Image("palette_color.png"), Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Client.RestoreAsync(image, new ClientOptions { Model = Lanczos, Scale = 1e-9 }, Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("options.scale", Assert.Single(error.FieldViolations()).Field);
    }

    [Fact]
    public async Task Mutated_images_of_every_format_are_ok_or_invalid_argument_and_the_server_keeps_serving()
    {
        var unexpected = new List<string>();
        int cases = 0;
        foreach ((string name, byte[] original) in MutationCorpus.Sources(small: true))
        {
            foreach ((string mutation, byte[] bytes) in MutationCorpus.Mutations(original, seed: name.Length * 104729, flips: 8))
            {
                cases++;
                try
                {
                    await fixture.Server.Client.RestoreAsync(bytes, new ClientOptions { Model = Lanczos }, Ct);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
                {
                    Assert.Equal("image", Assert.Single(e.FieldViolations()).Field);
                }
                catch (RpcException e)
                {
                    unexpected.Add($"{name} {mutation}: {e.Status}");
                }
            }
        }

        Assert.True(cases >= 200, $"only {cases} cases");
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} of {cases}:\n" + string.Join('\n', unexpected.Take(20)));
        await AssertStillServingAsync();
    }

    private async Task AssertStillServingAsync()
    {
        RestoreResult result = await fixture.Server.Client.RestoreFileAsync(SharedAssets.Image("foo3x5x4indexed.png"), options: new ClientOptions { Model = Lanczos }, cancellationToken: Ct);
        Assert.Equal((20, 12), (result.Output.Width, result.Output.Height));
    }
}
