using Google.Rpc;
using Grpc.Core;
using RestoreGrpc.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;
using RestoreOptions = RestoreGrpc.Client.RestoreOptions;

namespace RestoreGrpc.IntegrationTests;

/// <summary>Bad input gets a clear status with details, and the server keeps serving after every one.</summary>
public sealed class ErrorHandlingTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private RestoreClient Client => fixture.Server.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Truncated_jpeg_is_invalid_argument_with_field_details_and_the_next_request_succeeds()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.RestoreFileAsync(SharedAssets.Image("truncated.jpg"), cancellationToken: Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        (string field, string description) = Assert.Single(error.FieldViolations());
        Assert.Equal("image", field);
        Assert.Contains("corrupt", description, StringComparison.Ordinal);

        await AssertStillServingAsync();
    }

    public static TheoryData<string, byte[]> BadImages => new()
    {
        { "empty", [] },
        { "not an image", "hello, this is not an image"u8.ToArray() },
        { "absurd dimensions", SyntheticImages.PngHeaderOnly(200_000, 200_000) },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task Bad_images_are_invalid_argument(string why, byte[] image)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.RestoreAsync(image, new RestoreOptions { Model = "builtin-lanczos-x4" }, Ct));
        Assert.True(error.StatusCode == StatusCode.InvalidArgument, $"{why}: {error.Status}");
        Assert.Equal("image", Assert.Single(error.FieldViolations()).Field);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Bad_options_name_the_field()
    {
        byte[] image = await File.ReadAllBytesAsync(SharedAssets.Image("palette_color.png"), Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.RestoreAsync(image, new RestoreOptions { Scale = -2 }, Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("options.scale", Assert.Single(error.FieldViolations()).Field);

        error = await Assert.ThrowsAsync<RpcException>(() => Client.RestoreAsync(image, new RestoreOptions { Model = "yunet" }, Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("options.model", Assert.Single(error.FieldViolations()).Field);
    }

    [Fact]
    public async Task Options_have_presence_an_explicit_zero_margin_is_no_margin_and_an_explicit_zero_quality_is_refused()
    {
        // The contract's optional fields: unset takes the default, a set zero is a value (not a "use the default" sentinel).
        byte[] image = await File.ReadAllBytesAsync(SharedAssets.Image("foo3x5x4indexed.png"), Ct);
        RestoreResult defaults = await Client.RestoreAsync(image, new RestoreOptions { Model = "realesr-general-x4v3" }, Ct);
        Assert.True(defaults.Details.TileMargin > 0);
        RestoreResult noMargin = await Client.RestoreAsync(image, new RestoreOptions { Model = "realesr-general-x4v3", TileMargin = 0 }, Ct);
        Assert.Equal(0, noMargin.Details.TileMargin);

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.RestoreAsync(image, new RestoreOptions { Model = "builtin-lanczos-x4", Format = OutputFormat.Jpeg, Quality = 0 }, Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("quality", Assert.Single(error.FieldViolations()).Field, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_model_is_not_found_and_a_missing_file_is_failed_precondition()
    {
        byte[] image = await File.ReadAllBytesAsync(SharedAssets.Image("palette_color.png"), Ct);
        var notFound = await Assert.ThrowsAsync<RpcException>(() => Client.RestoreAsync(image, new RestoreOptions { Model = "no-such-model" }, Ct));
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("no-such-model", notFound.GetRpcStatus()?.GetDetail<ResourceInfo>()?.ResourceName);

        var missing = await Assert.ThrowsAsync<RpcException>(() => Client.RestoreAsync(image, new RestoreOptions { Model = "RealESRGAN_x4plus" }, Ct));
        Assert.Equal(StatusCode.FailedPrecondition, missing.StatusCode);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_deadline_shorter_than_the_work_is_deadline_exceeded_and_the_server_recovers()
    {
        byte[] image = await File.ReadAllBytesAsync(SharedAssets.Image("astronaut.png"), Ct);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.RestoreAsync(image, new RestoreOptions { Model = "realesr-general-x4v3", Timeout = TimeSpan.FromMilliseconds(300) }, Ct));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"took {started.Elapsed}");
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_cancelled_call_is_cancelled_and_the_server_recovers()
    {
        byte[] image = await File.ReadAllBytesAsync(SharedAssets.Image("astronaut.png"), Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.RestoreAsync(image, new RestoreOptions { Model = "realesr-general-x4v3" }, cancel.Token));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Messages_over_the_size_limit_are_resource_exhausted()
    {
        await using LoopbackServer small = await LoopbackServer.StartAsync("--Restore:Server:MaxReceiveMessageBytes=100000");
        byte[] image = await File.ReadAllBytesAsync(SharedAssets.Image("baboon.jpg"), Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() => small.Client.RestoreAsync(image, new RestoreOptions { Model = "builtin-lanczos-x4" }, Ct));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);

        RestoreResult ok = await small.Client.RestoreFileAsync(SharedAssets.Image("palette_color.png"), options: new RestoreOptions { Model = "builtin-lanczos-x4" }, cancellationToken: Ct);
        Assert.Equal(40, ok.Output.Width);
    }

    private async Task AssertStillServingAsync()
    {
        RestoreResult result = await Client.RestoreFileAsync(
            SharedAssets.Image("foo3x5x4indexed.png"),
            options: new RestoreOptions { Model = "realesr-general-x4v3" },
            cancellationToken: Ct);
        Assert.Equal((20, 12), (result.Output.Width, result.Output.Height));
    }
}
