using RestoreGrpc.Core.Imaging;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Tests.Imaging;

/// <summary>Lossy WebP goes through libvips' libwebp at the fast effort (issue 11): available on linux-x64, the
/// output decoded by libwebp's own dwebp close to the source, and alpha kept.</summary>
public sealed class VipsWebpEncoderTests
{
    private static readonly ImageLimits Limits = new();

    [Fact]
    public void Lossy_webp_is_written_by_libvips_and_decodes_close_to_the_source()
    {
        Assert.True(VipsWebpEncoder.IsAvailable, "libvips (NetVips.Native.linux-x64) did not load");
        using DecodedImage png = ImageDecoder.Decode(File.ReadAllBytes(SharedAssets.Image("astronaut.png")), Limits);
        using Image<Rgb24> source = png.Pixels.CloneAs<Rgb24>();
        byte[] webp = ImageEncoder.Encode(png.Pixels, png.Description, null, null, new EncodeSettings(ImageFormatKind.Webp, Quality: 90)).Bytes;
        Assert.Equal("lossy", WebpMux.Compression(webp));

        using Image<Rgb24> decoded = WebpMux.Decode(webp);
        Assert.Equal(source.Size(), decoded.Size());
        double squares = 0;
        for (int y = 0; y < source.Height; y++)
        {
            for (int x = 0; x < source.Width; x++)
            {
                Rgb24 a = source[x, y], b = decoded[x, y];
                squares += ((a.R - b.R) * (a.R - b.R)) + ((a.G - b.G) * (a.G - b.G)) + ((a.B - b.B) * (a.B - b.B));
            }
        }

        double psnr = 10 * Math.Log10(255.0 * 255.0 * 3 * source.Width * source.Height / squares);
        Assert.InRange(psnr, 35, 60);
    }

    [Fact]
    public void Lossy_webp_of_an_rgba_image_keeps_its_alpha()
    {
        using DecodedImage png = ImageDecoder.Decode(SyntheticImages.AlphaGradientPng(96, 64), Limits);
        Assert.True(png.Description.HasAlpha);
        EncodedImage encoded = ImageEncoder.Encode(png.Pixels, png.Description, null, null, new EncodeSettings(ImageFormatKind.Webp, Quality: 80));
        Assert.Equal("lossy", WebpMux.Compression(encoded.Bytes));

        using Image<Rgba32> original = png.Pixels.CloneAs<Rgba32>();
        using Image<Rgba32> again = Image.Load<Rgba32>(encoded.Bytes);
        int worst = 0;
        for (int y = 0; y < original.Height; y++)
        {
            for (int x = 0; x < original.Width; x++)
            {
                worst = Math.Max(worst, Math.Abs(original[x, y].A - again[x, y].A));
            }
        }

        Assert.InRange(worst, 0, 2); // libwebp codes alpha losslessly by default
    }
}
