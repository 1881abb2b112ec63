using RestoreGrpc.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using RestoreOptions = RestoreGrpc.Client.RestoreOptions;

namespace RestoreGrpc.IntegrationTests;

/// <summary>Real images through a real server and the SDK: sizes, layouts, bit depths and metadata come out right.</summary>
public sealed class RestoreEndToEndTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string GeneralX4 = "realesr-general-x4v3";
    private const string AnimeX2 = "realesrganv2-animevideo-x2";

    private RestoreClient Client => fixture.Server.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Astronaut_is_upscaled_x4_by_the_default_model_in_one_seamless_tile()
    {
        RestoreResult result = await Client.RestoreFileAsync(SharedAssets.Image("astronaut.png"), cancellationToken: Ct);
        Assert.Equal(GeneralX4, result.Details.Model);
        Assert.Equal((2048, 2048, ImageFormat.Png, ColorType.Rgb, 8), (result.Output.Width, result.Output.Height, result.Output.Format, result.Output.ColorType, result.Output.BitDepth));
        Assert.Equal(1, result.Details.TileCount);
        Assert.Equal(ExecutionProvider.Cpu, result.Details.ExecutionProvider);
        Assert.True(result.Details.Timings.Inference.ToTimeSpan() > TimeSpan.Zero);
        using Image<Rgb24> image = Image.Load<Rgb24>(result.Image.Span);
        Assert.Equal((2048, 2048), (image.Width, image.Height));
    }

    [Fact]
    public async Task Building_jpeg_stays_jpeg_and_any_scale_works()
    {
        RestoreResult result = await Client.RestoreFileAsync(
            SharedAssets.Image("building.jpg"),
            options: new RestoreOptions { Model = AnimeX2, Scale = 1.5 },
            cancellationToken: Ct);
        Assert.Equal((1302, 900, ImageFormat.Jpeg, ColorType.Rgb), (result.Output.Width, result.Output.Height, result.Output.Format, result.Output.ColorType));
        Assert.Equal((2, 1.5), (result.Details.ModelScale, Math.Round(result.Details.Scale, 2)));
        Assert.Equal(".jpg", result.FileExtension);
    }

    [Fact]
    public async Task Grayscale_text_stays_grayscale()
    {
        RestoreResult result = await Client.RestoreFileAsync(SharedAssets.Image("text.png"), options: new RestoreOptions { Model = GeneralX4 }, cancellationToken: Ct);
        Assert.Equal((1792, 688, ColorType.Gray, 8), (result.Output.Width, result.Output.Height, result.Output.ColorType, result.Output.BitDepth));
        Assert.Equal(8, Image.Identify(result.Image.ToArray()).PixelType.BitsPerPixel);
    }

    [Fact]
    public async Task Alpha_survives_restoration()
    {
        RestoreResult result = await Client.RestoreFileAsync(SharedAssets.Image("stanford.png"), options: new RestoreOptions { Model = AnimeX2 }, cancellationToken: Ct);
        Assert.Equal((2440, 1528, ColorType.Rgba, true), (result.Output.Width, result.Output.Height, result.Output.ColorType, result.Output.HasAlpha));

        using Image<Rgba32> source = Image.Load<Rgba32>(SharedAssets.Image("stanford.png"));
        using Image<Rgba32> output = Image.Load<Rgba32>(result.Image.Span);
        int checkedPixels = 0;
        for (int y = 40; y < source.Height - 40; y += 97)
        {
            for (int x = 40; x < source.Width - 40; x += 89)
            {
                // Away from edges of the alpha mask the resampled alpha matches the source.
                byte a = source[x, y].A;
                if (source[x - 2, y].A == a && source[x + 2, y].A == a && source[x, y - 2].A == a && source[x, y + 2].A == a)
                {
                    Assert.InRange(output[(2 * x) + 1, (2 * y) + 1].A, a - 2, a + 2);
                    checkedPixels++;
                }
            }
        }

        Assert.True(checkedPixels > 50);
    }

    [Fact]
    public async Task Sixteen_bit_tiff_stays_sixteen_bit_grayscale_tiff()
    {
        RestoreResult result = await Client.RestoreFileAsync(SharedAssets.Image("chessboard_GRAY_U16.tif"), options: new RestoreOptions { Model = GeneralX4 }, cancellationToken: Ct);
        Assert.Equal((800, 800, ImageFormat.Tiff, ColorType.Gray, 16), (result.Output.Width, result.Output.Height, result.Output.Format, result.Output.ColorType, result.Output.BitDepth));
        Assert.Equal(16, Image.Identify(result.Image.ToArray()).PixelType.BitsPerPixel);
    }

    [Fact]
    public async Task A_five_by_three_palette_image_is_smaller_than_any_tile_and_still_works()
    {
        RestoreResult result = await Client.RestoreFileAsync(SharedAssets.Image("foo3x5x4indexed.png"), options: new RestoreOptions { Model = GeneralX4 }, cancellationToken: Ct);
        Assert.Equal((20, 12, ColorType.Rgb), (result.Output.Width, result.Output.Height, result.Output.ColorType));
        Assert.Equal(1, result.Details.TileCount);
        Assert.Equal(3, result.Details.Input.Height);
        Assert.Equal(ColorType.Palette, result.Details.Input.ColorType);
    }

    [Fact]
    public async Task Jpeg_metadata_is_kept_and_orientation_is_upright()
    {
        RestoreResult result = await Client.RestoreFileAsync(SharedAssets.Image("rocket.jpg"), options: new RestoreOptions { Model = "builtin-lanczos-x4", Scale = 1 }, cancellationToken: Ct);
        Assert.True(result.Output.HasIccProfile);
        Assert.Equal((640, 427), (result.Output.Width, result.Output.Height));
        Assert.NotNull(Image.Identify(result.Image.ToArray()).Metadata.IccProfile);
    }

    [Fact]
    public async Task Output_format_and_quality_are_options()
    {
        byte[] input = await File.ReadAllBytesAsync(SharedAssets.Image("chelsea.png"), Ct);
        RestoreResult webp = await Client.RestoreAsync(input, new RestoreOptions { Model = "builtin-lanczos-x4", Format = OutputFormat.Webp, Quality = 80 }, Ct);
        Assert.Equal(ImageFormat.Webp, webp.Output.Format);
        Assert.Equal("Webp", Image.DetectFormat(webp.Image.ToArray())?.Name);

        RestoreResult low = await Client.RestoreAsync(input, new RestoreOptions { Model = "builtin-lanczos-x4", Format = OutputFormat.Jpeg, Quality = 20 }, Ct);
        RestoreResult high = await Client.RestoreAsync(input, new RestoreOptions { Model = "builtin-lanczos-x4", Format = OutputFormat.Jpeg, Quality = 95 }, Ct);
        Assert.True(high.Image.Length > 2 * low.Image.Length);
    }

    [Fact]
    public async Task Concurrent_clients_all_get_their_own_image_back()
    {
        string[] files = ["page.png", "text.png", "palette_color.png", "chessboard_GRAY_U16.tif"];
        RestoreResult[] results = await Task.WhenAll(files.Select(f =>
            Client.RestoreFileAsync(SharedAssets.Image(f), options: new RestoreOptions { Model = AnimeX2 }, cancellationToken: Ct)));
        for (int i = 0; i < files.Length; i++)
        {
            IImageInfo source = Image.Identify(SharedAssets.Image(files[i]));
            Assert.Equal((source.Width * 2, source.Height * 2), (results[i].Output.Width, results[i].Output.Height));
        }
    }
}
