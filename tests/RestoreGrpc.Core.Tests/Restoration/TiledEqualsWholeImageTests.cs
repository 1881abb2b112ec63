using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Tests.Restoration;

/// <summary>
/// The tiler against an independent reference: one plain ONNX Runtime inference of the whole image, converted to
/// pixels by this test's own code. A real photo, the real realesr-general-x4v3 weights.
/// </summary>
public sealed class TiledEqualsWholeImageTests
{
    // 224×160 crop of building.jpg (straight edges, fine texture): 4×3 tiles of ≤64 px.
    private const int CropX = 300;
    private const int CropY = 200;
    private const int CropWidth = 224;
    private const int CropHeight = 160;

    [Fact]
    public async Task Tiles_with_the_receptive_radius_as_margin_equal_whole_image_inference()
    {
        PixelDifference difference = await TiledVersusWholeAsync(margin: 34);
        Assert.True(difference.MaxLevels <= 1, $"tiled vs whole-image: {difference}");
    }

    [Fact]
    public async Task A_24_pixel_margin_stays_within_two_levels()
    {
        PixelDifference difference = await TiledVersusWholeAsync(margin: 24);
        Assert.True(difference.MaxLevels <= 2, $"tiled vs whole-image: {difference}");
    }

    [Fact]
    public async Task A_10_pixel_margin_leaves_visible_seams_so_the_comparison_can_fail()
    {
        PixelDifference difference = await TiledVersusWholeAsync(margin: 10);
        Assert.True(difference.MaxLevels > 2, $"expected seam errors with Real-ESRGAN's 10 px pad, got {difference}");
    }

    private static async Task<PixelDifference> TiledVersusWholeAsync(int margin)
    {
        (Image<Rgb24> tiled, Image<Rgb24> whole) = await RunAsync(tileSize: 64, margin);
        using (tiled)
        using (whole)
        {
            PixelDifference difference = PixelDifference.Between(tiled, whole);
            TestContext.Current.TestOutputHelper?.WriteLine($"margin {margin}: tiled vs whole-image: {difference}");
            return difference;
        }
    }

    private static async Task<(Image<Rgb24> Tiled, Image<Rgb24> Whole)> RunAsync(int tileSize, int margin)
    {
        string modelPath = SharedAssets.Model("realesr-general-x4v3.onnx");
        using Image<Rgb24> crop = Image.Load<Rgb24>(SharedAssets.Image("building.jpg"));
        crop.Mutate(x => x.Crop(new Rectangle(CropX, CropY, CropWidth, CropHeight)));
        using var png = new MemoryStream();
        await crop.SaveAsPngAsync(png, new PngEncoder { ColorType = PngColorType.Rgb }, TestContext.Current.CancellationToken);

        using ModelCatalog catalog = TestPipelines.Catalog(TestPipelines.GeneralX4(Path.GetDirectoryName(modelPath)!));
        RestorationResult result = await TestPipelines.Pipeline(catalog).RestoreAsync(
            png.ToArray(),
            new RestoreSettings(TileSize: tileSize, TileMargin: margin),
            TestContext.Current.CancellationToken);
        Assert.Equal(12, result.TileCount);

        return (Image.Load<Rgb24>(result.Output.Bytes), WholeImageReference(modelPath, crop));
    }

    /// <summary>Plain whole-image inference, written independently of the pipeline's tensor code.</summary>
    private static Image<Rgb24> WholeImageReference(string modelPath, Image<Rgb24> image)
    {
        int w = image.Width;
        int h = image.Height;
        float[] input = new float[3 * w * h];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                Rgb24 p = image[x, y];
                input[(0 * w * h) + (y * w) + x] = p.R / 255f;
                input[(1 * w * h) + (y * w) + x] = p.G / 255f;
                input[(2 * w * h) + (y * w) + x] = p.B / 255f;
            }
        }

        using var options = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount };
        using var session = new InferenceSession(modelPath, options);
        using OrtValue tensor = OrtValue.CreateTensorValueFromMemory(input, [1, 3, h, w]);
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(new RunOptions(), ["input"], [tensor], ["output"]);
        ReadOnlySpan<float> output = outputs[0].GetTensorDataAsSpan<float>();
        int ow = w * 4;
        int oh = h * 4;
        var result = new Image<Rgb24>(ow, oh);
        for (int y = 0; y < oh; y++)
        {
            for (int x = 0; x < ow; x++)
            {
                result[x, y] = new Rgb24(
                    ToByte(output[(0 * ow * oh) + (y * ow) + x]),
                    ToByte(output[(1 * ow * oh) + (y * ow) + x]),
                    ToByte(output[(2 * ow * oh) + (y * ow) + x]));
            }
        }

        return result;
    }

    private static byte ToByte(float value) => (byte)Math.Round(Math.Clamp(value, 0f, 1f) * 255f, MidpointRounding.AwayFromZero);
}
