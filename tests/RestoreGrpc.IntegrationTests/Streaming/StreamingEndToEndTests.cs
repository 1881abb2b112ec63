using System.Numerics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RestoreGrpc.Client;
using RestoreGrpc.Client.Streaming;
using RestoreGrpc.Core.Streaming;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.IntegrationTests.Streaming;

/// <summary>RestoreLargeAsync end to end: same pixels as the unary path, bounded job memory, resume after a cut.</summary>
public sealed class StreamingEndToEndTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Resampler = "builtin-lanczos-x4";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Streamed_output_equals_unary_output_with_the_real_model()
    {
        string photo = SharedAssets.Image("astronaut.png");
        using Image<Rgb24> input = Image.Load<Rgb24>(photo);
        input.Mutate(x => x.Crop(new Rectangle(200, 60, 150, 140)));
        // 64-pixel tiles with the model's 34-pixel margin: 3×3 tiles, so seams are exercised.
        var options = new RestoreOptions { Model = "realesr-general-x4v3", TileSize = 64 };

        using Image<Rgb24> streamed = await StreamToMemoryAsync(fixture.Server.Client, input, options);
        using Image<Rgb24> unary = await RestoreUnaryAsync(fixture.Server.Client, input, options);

        PixelDifference difference = PixelDifference.Between(streamed, unary);
        Assert.True(difference.MaxLevels <= 1, $"streamed differs from unary by {difference}");
    }

    [Fact]
    public async Task A_tiff_sink_gets_every_output_pixel_once_and_matches_unary()
    {
        using Image<Rgb24> input = TestPattern(300, 170, seed: 1);
        var options = new RestoreOptions { Model = Resampler, TileSize = 64 };
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "out.tif");

        StreamRestoreResult result;
        using (var source = ImageTileSource.From(input))
        using (var sink = new TiffTileSink(path, tileEdge: 128))
        {
            result = await fixture.Server.Client.RestoreLargeAsync(source, sink, options, cancellationToken: Ct);
            Assert.Equal(0, sink.PendingTiles);
        }

        Assert.Equal((1200, 680), (result.OutputWidth, result.OutputHeight));
        Assert.Equal(result.TileCount, result.TilesComputed);
        using Image<Rgb24> written = TiffFile.ReadTiledRgb24(path);
        using Image<Rgb24> unary = await RestoreUnaryAsync(fixture.Server.Client, input, options);
        PixelDifference difference = PixelDifference.Between(written, unary);
        Assert.True(difference.MaxLevels <= 1, $"TIFF output differs from unary by {difference}");
    }

    [Fact]
    public async Task Sixteen_bit_input_streams_as_sixteen_bit_and_matches_unary()
    {
        byte[] png = SyntheticImages.Gray16Png(150, 90);
        var options = new RestoreOptions { Model = Resampler, TileSize = 64 };

        using var source = ImageTileSource.Load(new MemoryStream(png));
        Assert.Equal(RawPixelFormat.Rgb48, source.Format);
        using var sink = new ImageTileSink();
        await fixture.Server.Client.RestoreLargeAsync(source, sink, options, cancellationToken: Ct);
        var streamed = Assert.IsType<Image<Rgb48>>(sink.Image);

        RestoreResult unary = await fixture.Server.Client.RestoreAsync(png, options with { Format = OutputFormat.Png }, Ct);
        using Image<L16> expected = Image.Load<L16>(unary.Image.Span);
        Assert.Equal((expected.Width, expected.Height), (streamed.Width, streamed.Height));
        int worst = 0;
        for (int y = 0; y < expected.Height; y++)
        {
            for (int x = 0; x < expected.Width; x++)
            {
                worst = Math.Max(worst, Math.Abs(streamed[x, y].R - expected[x, y].PackedValue));
            }
        }

        // 16-bit precision is kept: within a few 1/65535 steps, far below one 8-bit level (257).
        Assert.True(worst <= 8, $"streamed 16-bit output differs from unary by {worst} of 65535");
    }

    [Fact]
    public async Task Job_memory_does_not_grow_with_image_size()
    {
        // 16-pixel tiles: 36 tiles for the small image, 1,296 for the large one (36× the pixels).
        var options = new RestoreOptions { Model = Resampler, TileSize = 16, TileMargin = 8 };
        long small = await PeakJobBytesAsync(TestPattern(96, 96, seed: 2), options);
        long large = await PeakJobBytesAsync(TestPattern(576, 576, seed: 3), options);

        // At most the credit's worth of tiles in flight, each one pooled input and output tensor (power-of-two sizes).
        int credit = fixture.Server.Services.GetRequiredService<IOptions<StreamingOptions>>().Value.Credit;
        long perTile = sizeof(float) * ((long)BitOperations.RoundUpToPowerOf2(3 * 32 * 32) + (long)BitOperations.RoundUpToPowerOf2(3 * 128 * 128));
        Assert.True(small > 0, "the job accounted no tile memory");
        Assert.True(large <= credit * perTile, $"peak job memory {large} bytes for 576² exceeds {credit} tiles in flight ({credit * perTile} bytes); 96² peaked at {small}");
    }

    [Fact]
    public async Task A_connection_cut_halfway_resumes_and_the_output_is_complete_and_correct()
    {
        await using var proxy = new CuttableTcpProxy(fixture.Server.Address);
        using var client = new RestoreClient(new RestoreClientOptions
        {
            Address = proxy.Address,
            MaxAttempts = 1,
            MaxStreamReconnects = 3,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
        });
        using Image<Rgb24> input = TestPattern(256, 192, seed: 4);
        var options = new RestoreOptions { Model = Resampler, TileSize = 32 };
        int tiles = 0;
        var progress = new InlineProgress<StreamProgressReport>(report =>
        {
            tiles = report.TilesTotal;
            if (report.TilesDone == report.TilesTotal / 2 && proxy.Cuts == 0)
            {
                proxy.CutAll();
            }
        });

        using var source = ImageTileSource.From(input);
        using var sink = new ImageTileSink();
        StreamRestoreResult result = await client.RestoreLargeAsync(source, sink, options, progress, Ct);

        Assert.Equal(1, proxy.Cuts);
        Assert.True(result.Reconnects >= 1, "the stream did not reconnect");
        Assert.True(result.TilesComputed <= tiles - (tiles / 2), $"the resumed stream computed {result.TilesComputed} of {tiles} tiles; held tiles must not be recomputed");
        using Image<Rgb24> streamed = sink.Image.CloneAs<Rgb24>();
        using Image<Rgb24> unary = await RestoreUnaryAsync(fixture.Server.Client, input, options);
        PixelDifference difference = PixelDifference.Between(streamed, unary);
        Assert.True(difference.MaxLevels <= 1, $"resumed output differs from unary by {difference}");
    }

    internal static Image<Rgb24> TestPattern(int width, int height, int seed)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)random.Next(256));
            }
        }

        return image;
    }

    private async Task<long> PeakJobBytesAsync(Image<Rgb24> input, RestoreOptions options)
    {
        using (input)
        using (var source = ImageTileSource.From(input))
        using (var sink = new ImageTileSink())
        {
            StreamRestoreResult result = await fixture.Server.Client.RestoreLargeAsync(source, sink, options, cancellationToken: Ct);
            return result.PeakServerJobBytes;
        }
    }

    private static async Task<Image<Rgb24>> StreamToMemoryAsync(RestoreClient client, Image<Rgb24> input, RestoreOptions options)
    {
        using var source = ImageTileSource.From(input);
        using var sink = new ImageTileSink();
        StreamRestoreResult result = await client.RestoreLargeAsync(source, sink, options, cancellationToken: Ct);
        Assert.Equal((input.Width * 4, input.Height * 4), (result.OutputWidth, result.OutputHeight));
        return sink.Image.CloneAs<Rgb24>();
    }

    private static async Task<Image<Rgb24>> RestoreUnaryAsync(RestoreClient client, Image<Rgb24> input, RestoreOptions options)
    {
        using var png = new MemoryStream();
        await input.SaveAsync(png, new PngEncoder(), Ct);
        RestoreResult result = await client.RestoreAsync(png.ToArray(), options with { Format = OutputFormat.Png }, Ct);
        return Image.Load<Rgb24>(result.Image.Span);
    }
}
