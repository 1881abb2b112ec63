using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Tiling;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Tests.Tiling;

public sealed class TileTensorTests
{
    private static Image<Rgba32> Numbered(int width, int height)
    {
        var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new Rgba32((byte)(x * 10), (byte)(y * 10), (byte)(100 + x + y), 255);
            }
        }

        return image;
    }

    [Fact]
    public void Reads_planar_rgb_in_zero_to_one_with_reflect_padding()
    {
        using Image<Rgba32> image = Numbered(5, 3);
        var plan = TilePlan.Create(5, 3, new TilePlanOptions(4, 2, 1, PadToFullShape: true));
        Assert.Equal((8, 8), (plan.WindowWidth, plan.WindowHeight));
        float[] tensor = new float[3 * 64];
        TileTensorReader.Read(image, plan, plan[0], new TensorNormalization(InputRange.ZeroToOne, ColorOrder.Rgb), tensor);

        int[] reflectX = [0, 1, 2, 3, 4, 3, 2, 1];
        int[] reflectY = [0, 1, 2, 1, 0, 1, 2, 1];
        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 8; x++)
            {
                Rgba32 expected = image[reflectX[x], reflectY[y]];
                Assert.Equal(expected.R / 255f, tensor[(y * 8) + x], 6);
                Assert.Equal(expected.G / 255f, tensor[64 + (y * 8) + x], 6);
                Assert.Equal(expected.B / 255f, tensor[128 + (y * 8) + x], 6);
            }
        }
    }

    [Fact]
    public void Applies_range_order_and_mean()
    {
        using Image<Rgba32> image = Numbered(2, 1);
        var plan = TilePlan.Create(2, 1, new TilePlanOptions(16, 0, 1));
        float[] tensor = new float[6];
        var normalization = new TensorNormalization(InputRange.ZeroTo255, ColorOrder.Bgr, [104f, 117f, 123f]);
        TileTensorReader.Read(image, plan, plan[0], normalization, tensor);

        // Pixel (1,0) = (10, 0, 101): BGR planes minus the BGR mean.
        Assert.Equal(101 - 104f, tensor[1], 3);
        Assert.Equal(0 - 117f, tensor[3], 3);
        Assert.Equal(10 - 123f, tensor[5], 3);

        var minusOne = new TensorNormalization(InputRange.MinusOneToOne, ColorOrder.Rgb);
        Assert.Equal(-1f, minusOne.ToModel(0f, 0));
        Assert.Equal(1f, minusOne.ToModel(1f, 0));
        Assert.Equal(0.25f, minusOne.FromModel(minusOne.ToModel(0.25f, 2), 2), 6);
    }

    [Fact]
    public void Identity_model_round_trip_reproduces_every_8_bit_pixel()
    {
        using Image<Rgba32> image = Numbered(23, 17);
        var plan = TilePlan.Create(23, 17, new TilePlanOptions(8, 3, 1));
        using var output = new Image<Rgba32>(23, 17);
        var normalization = new TensorNormalization(InputRange.MinusOneToOne, ColorOrder.Bgr);
        float[] tensor = new float[3 * plan.WindowWidth * plan.WindowHeight];
        foreach (Tile tile in plan.Tiles)
        {
            TileTensorReader.Read(image, plan, tile, normalization, tensor);
            TileTensorWriter.Write(tensor, plan, tile, normalization, output);
        }

        for (int y = 0; y < 17; y++)
        {
            for (int x = 0; x < 23; x++)
            {
                Assert.Equal(image[x, y], output[x, y]);
            }
        }
    }

    [Fact]
    public void Identity_round_trip_keeps_16_bit_precision_and_clamps_out_of_range_values()
    {
        using var image = new Image<Rgba64>(3, 1);
        image[0, 0] = new Rgba64(1, 2, 3, 65535);
        image[1, 0] = new Rgba64(65534, 32769, 12345, 65535);
        image[2, 0] = new Rgba64(0, 65535, 40000, 65535);
        var plan = TilePlan.Create(3, 1, new TilePlanOptions(16, 0, 1));
        float[] tensor = new float[9];
        var normalization = new TensorNormalization(InputRange.ZeroToOne, ColorOrder.Rgb);
        TileTensorReader.Read(image, plan, plan[0], normalization, tensor);
        using var output = new Image<Rgba64>(3, 1);
        TileTensorWriter.Write(tensor, plan, plan[0], normalization, output);
        Assert.Equal(image[0, 0], output[0, 0]);
        Assert.Equal(image[1, 0], output[1, 0]);

        tensor[0] = 1.7f;
        tensor[3] = -0.2f;
        TileTensorWriter.Write(tensor, plan, plan[0], normalization, output);
        Assert.Equal(65535, output[0, 0].R);
        Assert.Equal(0, output[0, 0].G);
    }

    public static TheoryData<InputRange, ColorOrder, bool> Normalizations() => new()
    {
        { InputRange.ZeroToOne, ColorOrder.Rgb, false },
        { InputRange.MinusOneToOne, ColorOrder.Bgr, false },
        { InputRange.ZeroTo255, ColorOrder.Bgr, true },
    };

    [Theory]
    [MemberData(nameof(Normalizations))]
    public void Eight_bit_fast_path_writes_exactly_what_the_general_path_writes(InputRange range, ColorOrder order, bool mean)
    {
        // ×4 tiles with margins whose cores are not a multiple of the vector width: both the vector loop and the
        // scalar tail run. Values span beyond the clamp range on both sides, plus NaN and infinities.
        var plan = TilePlan.Create(45, 29, new TilePlanOptions(16, 3, 4));
        var normalization = new TensorNormalization(range, order, mean ? [104f, 117f, 123f] : null);
        var random = new Random(7);
        float low = normalization.ToModel(-0.3f, 0);
        float high = normalization.ToModel(1.3f, 0);
        float[] tensor = new float[3 * plan.WindowWidth * plan.WindowHeight * 16];
        for (int i = 0; i < tensor.Length; i++)
        {
            tensor[i] = low + (random.NextSingle() * (high - low));
        }

        tensor[5] = float.NaN;
        tensor[6] = float.PositiveInfinity;
        tensor[7] = float.NegativeInfinity;
        using var fast = new Image<Rgba32>(plan.OutputWidth, plan.OutputHeight);
        using var general = new Image<Rgba32>(plan.OutputWidth, plan.OutputHeight);
        foreach (Tile tile in plan.Tiles)
        {
            TileTensorWriter.WriteRgba32(tensor, plan, tile, normalization, fast);
            TileTensorWriter.WriteAnyPixel(tensor, plan, tile, normalization, general);
        }

        int clamped = 0;
        for (int y = 0; y < plan.OutputHeight; y++)
        {
            for (int x = 0; x < plan.OutputWidth; x++)
            {
                Assert.True(general[x, y] == fast[x, y], $"pixel ({x},{y}): general {general[x, y]}, fast {fast[x, y]}");
                clamped += fast[x, y].R is 0 or 255 ? 1 : 0;
            }
        }

        Assert.InRange(clamped, plan.OutputWidth * plan.OutputHeight / 20, plan.OutputWidth * plan.OutputHeight / 2);
    }
}
