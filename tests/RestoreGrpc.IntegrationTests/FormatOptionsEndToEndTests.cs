using Grpc.Core;
using RestoreGrpc.Client;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests;

/// <summary>The output options for alpha and WebP through the real server: background, lossless, notes.</summary>
public sealed class FormatOptionsEndToEndTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rgba_to_jpeg_is_composited_over_the_background_asked_and_the_response_says_so()
    {
        RestoreResult result = await fixture.Server.Client.RestoreFileAsync(
            SharedAssets.Image("stanford.png"),
            options: new RestoreOptions { Model = "builtin-lanczos-x4", Scale = 1, Format = OutputFormat.Jpeg, Background = "#102030" },
            cancellationToken: Ct);
        Assert.Contains(result.Details.Notes, n => n.Contains("#102030", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_background_that_is_not_a_colour_is_refused_naming_the_field()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Client.RestoreFileAsync(
            SharedAssets.Image("stanford.png"),
            options: new RestoreOptions { Model = "builtin-lanczos-x4", Format = OutputFormat.Jpeg, Background = "blue-ish" },
            cancellationToken: Ct));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("options.output.background", Assert.Single(error.FieldViolations()).Field);
    }

    [Fact]
    public async Task A_png_to_webp_with_a_quality_is_lossy_and_with_lossless_is_lossless()
    {
        var options = new RestoreOptions { Model = "builtin-lanczos-x4", Scale = 1, Format = OutputFormat.Webp, Quality = 90 };
        RestoreResult lossy = await fixture.Server.Client.RestoreFileAsync(SharedAssets.Image("astronaut.png"), options: options, cancellationToken: Ct);
        Assert.Equal("lossy", WebpMux.Compression(lossy.Image.ToArray()));
        RestoreResult lossless = await fixture.Server.Client.RestoreFileAsync(SharedAssets.Image("astronaut.png"), options: options with { Lossless = true }, cancellationToken: Ct);
        Assert.Equal("lossless", WebpMux.Compression(lossless.Image.ToArray()));
    }
}
