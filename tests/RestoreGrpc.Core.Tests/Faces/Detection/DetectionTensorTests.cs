using RestoreGrpc.Core.Faces.Detection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Tests.Faces.Detection;

public sealed class DetectionTensorTests
{
    private static Image<Rgb24> Numbered(int width, int height)
    {
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)(x * 3), (byte)(y * 5), (byte)(x + y));
            }
        }

        return image;
    }

    [Fact]
    public void Writes_planar_bgr_minus_the_mean_with_zero_padding_at_the_right_and_bottom()
    {
        using Image<Rgb24> image = Numbered(40, 33);
        using var tensor = DetectionTensor.Create(image, maxInputSide: 640, padMultiple: 32, meanB: 1f, meanG: 2f, meanR: 3f);

        Assert.Equal((64, 64), (tensor.Width, tensor.Height));
        Assert.Equal([1L, 3, 64, 64], tensor.Shape);
        Assert.Equal((1.0, 1.0), (tensor.ScaleX, tensor.ScaleY));
        Span<float> data = tensor.Data.Span;
        Assert.Equal(3 * 64 * 64, data.Length);
        const int plane = 64 * 64;
        for (int y = 0; y < 64; y++)
        {
            for (int x = 0; x < 64; x++)
            {
                int i = (y * 64) + x;
                if (x < 40 && y < 33)
                {
                    Rgb24 pixel = image[x, y];
                    Assert.Equal(pixel.B - 1f, data[i]);
                    Assert.Equal(pixel.G - 2f, data[plane + i]);
                    Assert.Equal(pixel.R - 3f, data[(2 * plane) + i]);
                }
                else
                {
                    Assert.Equal(0f, data[i]);
                    Assert.Equal(0f, data[plane + i]);
                    Assert.Equal(0f, data[(2 * plane) + i]);
                }
            }
        }
    }

    [Fact]
    public void Downscales_a_large_image_and_maps_coordinates_back_exactly()
    {
        using var image = new Image<Rgb24>(1000, 601);
        using var tensor = DetectionTensor.Create(image, maxInputSide: 640, padMultiple: 1, 0f, 0f, 0f);

        // 1000×601 at 0.64 is 640×384.64, rounded to 640×385; each axis maps back by its own ratio.
        Assert.Equal((640, 385), (tensor.Width, tensor.Height));
        Assert.Equal(1000.0 / 640, tensor.ScaleX);
        Assert.Equal(601.0 / 385, tensor.ScaleY);
        Assert.Equal(new LandmarkPoint(1000f, 601f), tensor.ToImage(640f, 385f));
        FaceBox box = tensor.ToImage(64f, 38.5f, 320f, 192.5f);
        Assert.Equal(100f, box.X, 3);
        Assert.Equal(60.1f, box.Y, 3);
        Assert.Equal(500f, box.Width, 3);
        Assert.Equal(300.5f, box.Height, 3);
    }
}
