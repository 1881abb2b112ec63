using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Tests.Restoration;

/// <summary>Pipeline behaviour on the built-in resampler (fast, needs no model file).</summary>
public sealed class RestorationPipelineTests : IDisposable
{
    private readonly ModelCatalog _catalog = TestPipelines.Catalog();
    private readonly RestorationPipeline _pipeline;

    public RestorationPipelineTests() => _pipeline = TestPipelines.Pipeline(_catalog);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _catalog.Dispose();

    [Fact]
    public async Task Builtin_tiled_resampling_equals_whole_image_lanczos()
    {
        byte[] png = File.ReadAllBytes(SharedAssets.Image("chelsea.png"));
        RestorationResult result = await _pipeline.RestoreAsync(png, new RestoreSettings(TileSize: 100, TileMargin: 8), Ct);
        Assert.Equal(15, result.TileCount); // 451×300 in cores of ≤100 px: 5 × 3

        using Image<Rgb24> source = Image.Load<Rgb24>(png);
        using Image<Rgb24> reference = source.Clone(x => x.Resize(new ResizeOptions
        {
            Size = new Size(source.Width * 4, source.Height * 4),
            Sampler = KnownResamplers.Lanczos3,
            Mode = ResizeMode.Stretch,
        }));
        using Image<Rgb24> tiled = Image.Load<Rgb24>(result.Output.Bytes);
        PixelDifference difference = PixelDifference.Between(tiled, reference);
        Assert.True(difference.MaxLevels <= 1, difference.ToString());
    }

    [Theory]
    [InlineData(2.0, 64, 48)]
    [InlineData(3.5, 112, 84)]
    [InlineData(0.5, 16, 12)]
    public async Task Outscale_resamples_the_model_output_to_any_scale(double scale, int width, int height)
    {
        using var image = new Image<Rgb24>(32, 24, new Rgb24(10, 200, 30));
        byte[] png = SyntheticImages.Png(image, SixLabors.ImageSharp.Formats.Png.PngColorType.Rgb, SixLabors.ImageSharp.Formats.Png.PngBitDepth.Bit8);
        RestorationResult result = await _pipeline.RestoreAsync(png, new RestoreSettings(Scale: scale), Ct);
        Assert.Equal((width, height), (result.Output.Description.Width, result.Output.Description.Height));
        Assert.Equal(4, result.ModelScale);
        Assert.Equal(scale, result.Scale, 2);
    }

    [Fact]
    public async Task Alpha_is_resampled_separately_and_recombined()
    {
        RestorationResult result = await _pipeline.RestoreAsync(SyntheticImages.AlphaGradientPng(64, 8), new RestoreSettings(), Ct);
        Assert.Equal((ColorKind.Rgba, true), (result.Output.Description.Color, result.Output.Description.HasAlpha));
        using Image<Rgba32> output = Image.Load<Rgba32>(result.Output.Bytes);
        for (int x = 8; x < 248; x += 16)
        {
            double expected = ((x + 0.5) / 4 - 0.5) * 255 / 63;
            Assert.InRange(output[x, 16].A, expected - 3, expected + 3);
            Assert.InRange(output[x, 16].R, 195, 205);
        }
    }

    [Fact]
    public async Task Sixteen_bit_gray_keeps_sixteen_bits_and_grayscale()
    {
        RestorationResult result = await _pipeline.RestoreAsync(SyntheticImages.Gray16Png(40, 10), new RestoreSettings(), Ct);
        Assert.Equal((ColorKind.Gray, 16), (result.Output.Description.Color, result.Output.Description.BitDepth));
        using Image<L16> output = Image.Load<L16>(result.Output.Bytes);
        int notByteAligned = 0;
        for (int x = 0; x < output.Width; x++)
        {
            notByteAligned += output[x, 20].PackedValue % 257 == 0 ? 0 : 1;
        }

        Assert.True(notByteAligned > output.Width / 2, "values were quantised to 8 bits");
    }

    [Fact]
    public async Task Orientation_is_applied_before_restoring()
    {
        RestorationResult result = await _pipeline.RestoreAsync(SyntheticImages.RotatedJpeg(40, 20), new RestoreSettings(), Ct);
        Assert.Equal((80, 160), (result.Output.Description.Width, result.Output.Description.Height));
        Assert.Equal(6, result.Input.ExifOrientation);
        Assert.Equal(1, result.Output.Description.ExifOrientation);
    }

    [Theory]
    [InlineData(-1.0, null, null, null, RequestField.Scale)]
    [InlineData(100.0, null, null, null, RequestField.Scale)]
    [InlineData(null, 4, null, null, RequestField.TileSize)]
    [InlineData(null, null, 999, null, RequestField.TileMargin)]
    [InlineData(null, null, null, 101, RequestField.OutputQuality)]
    public async Task Bad_options_name_their_field(double? scale, int? tile, int? margin, int? quality, RequestField field)
    {
        var settings = new RestoreSettings(Scale: scale, TileSize: tile, TileMargin: margin, Output: new EncodeSettings(Quality: quality));
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => _pipeline.RestoreAsync(SyntheticImages.Gray16Png(4, 4), settings, Ct));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public async Task Output_larger_than_the_limit_is_refused()
    {
        RestorationPipeline limited = TestPipelines.Pipeline(_catalog, new ImageLimits { MaxOutputPixels = 1000 });
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => limited.RestoreAsync(SyntheticImages.Gray16Png(40, 10), new RestoreSettings(), Ct));
        Assert.Equal(RequestField.Image, error.Field);
    }

    [Fact]
    public async Task A_cancelled_request_stops()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _pipeline.RestoreAsync(SyntheticImages.Gray16Png(40, 10), new RestoreSettings(), cancelled.Token));
    }

    [Fact]
    public async Task Unknown_model_is_not_found()
    {
        await Assert.ThrowsAsync<ModelNotFoundException>(() => _pipeline.RestoreAsync(SyntheticImages.Gray16Png(4, 4), new RestoreSettings(Model: "nope"), Ct));
    }

    [Fact]
    public async Task Estimates_plan_a_huge_image_without_touching_pixels()
    {
        RestoreEstimate estimate = await _pipeline.EstimateAsync(4096, 4096, 8, new RestoreSettings(), Ct);
        var plan = RestoreGrpc.Tiling.TilePlan.Create(4096, 4096, new RestoreGrpc.Tiling.TilePlanOptions(512, 8, 4));
        Assert.Equal((plan.Count, plan.WindowWidth, plan.WindowHeight), (estimate.TileCount, estimate.WindowWidth, estimate.WindowHeight));
        Assert.Equal((16384, 16384, 4), (estimate.OutputWidth, estimate.OutputHeight, estimate.ModelScale));
        Assert.True(estimate.ExceedsUnaryLimits);
        Assert.True(estimate.MemoryBytes > 16384L * 16384 * 4, $"{estimate.MemoryBytes} bytes");
        Assert.Equal((plan.Count + 3) / 4, estimate.Batches);

        RestoreEstimate small = await _pipeline.EstimateAsync(100, 50, 16, new RestoreSettings(Scale: 2), Ct);
        Assert.Equal((200, 100, 1), (small.OutputWidth, small.OutputHeight, small.TileCount));
        Assert.False(small.ExceedsUnaryLimits);

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => _pipeline.EstimateAsync(0, 10, 8, new RestoreSettings(), Ct));
        Assert.Equal(RequestField.Width, error.Field);
    }
}
