using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Streaming;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Tests.Streaming;

public sealed class RawTileCodecTests
{
    private static readonly TensorNormalization Identity = new(InputRange.ZeroToOne, ColorOrder.Rgb);

    [Theory]
    [InlineData(8, 3)]
    [InlineData(16, 3)]
    [InlineData(8, 1)]
    [InlineData(16, 1)]
    public void Pixels_survive_a_round_trip_through_a_tensor(int bitDepth, int channels)
    {
        var format = new StreamPixelFormat(bitDepth, channels);
        const int width = 7;
        const int height = 5;
        byte[] pixels = new byte[width * height * format.BytesPerPixel];
        new Random(1).NextBytes(pixels);
        float[] tensor = new float[3 * width * height];

        RawTileCodec.ToTensor(pixels, width, height, format, Identity, tensor);
        byte[] back = new byte[pixels.Length];
        RawTileCodec.FromTensor(tensor, width, height, new PixelRect(0, 0, width, height), format, Identity, back);

        Assert.Equal(pixels, back);
    }

    [Fact]
    public void Bgr_models_get_their_channel_order_and_regions_are_cut_from_the_tensor()
    {
        var bgr = new TensorNormalization(InputRange.ZeroToOne, ColorOrder.Bgr);
        byte[] pixels = [255, 0, 0, 0, 255, 0]; // a red and a green pixel
        float[] tensor = new float[3 * 2];

        RawTileCodec.ToTensor(pixels, 2, 1, StreamPixelFormat.Rgb24, bgr, tensor);
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 0f], tensor); // planes B, G, R

        byte[] second = new byte[3];
        RawTileCodec.FromTensor(tensor, 2, 1, new PixelRect(1, 0, 1, 1), StreamPixelFormat.Rgb24, bgr, second);
        Assert.Equal([0, 255, 0], second);
    }

    [Fact]
    public void Out_of_range_model_output_is_clamped()
    {
        float[] tensor = [-0.5f, 2f, 0.5f];
        byte[] pixel = new byte[3];
        RawTileCodec.FromTensor(tensor, 1, 1, new PixelRect(0, 0, 1, 1), StreamPixelFormat.Rgb24, Identity, pixel);
        Assert.Equal([0, 255, 128], pixel);
    }
}
