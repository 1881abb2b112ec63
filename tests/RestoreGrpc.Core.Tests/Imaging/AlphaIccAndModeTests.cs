using System.Text;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Tests.Imaging;

/// <summary>
/// Alpha, ICC and lossless/lossy kept as the request says, checked where possible with libwebp's own tools
/// (webpmux, dwebp) rather than with the library that wrote the file.
/// </summary>
public sealed class AlphaIccAndModeTests
{
    private static readonly ImageLimits Limits = new();

    [Fact]
    public void A_palette_png_with_a_transparent_index_keeps_its_alpha()
    {
        using Image<Rgba32> photo = Cut(64, 48);
        photo.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < 24; y++)
            {
                rows.GetRowSpan(y).Fill(new Rgba32(0, 0, 0, 0));
            }
        });
        byte[] png = SyntheticImages.Png(photo, PngColorType.Palette, PngBitDepth.Bit8);
        Assert.Contains("tRNS", Encoding.ASCII.GetString(png), StringComparison.Ordinal);

        using DecodedImage decoded = ImageDecoder.Decode(png, Limits);
        Assert.True(decoded.Description.HasAlpha);
        Assert.Equal(0, ((Image<Rgba32>)decoded.Pixels)[10, 5].A);
        EncodedImage encoded = ImageEncoder.Encode(decoded.Pixels, decoded.Description, null, null, new EncodeSettings(ImageFormatKind.Png));
        Assert.Equal(ColorKind.Rgba, encoded.Description.Color);
        using Image<Rgba32> again = Image.Load<Rgba32>(encoded.Bytes);
        Assert.Equal(0, again[10, 5].A);
        Assert.Equal(255, again[10, 40].A);
    }

    [Fact]
    public void Rgba_to_jpeg_is_composited_over_white_by_default_or_the_given_colour_and_says_so()
    {
        using Image<Rgba32> image = new(16, 8, new Rgba32(255, 0, 0, 0));
        var source = new ImageDescription(16, 8, ImageFormatKind.Png, ColorKind.Rgba, 8, true, false, false, 0, 0);

        EncodedImage white = ImageEncoder.Encode(image.Clone(), source, null, null, new EncodeSettings(ImageFormatKind.Jpeg));
        using (Image<Rgb24> decoded = Image.Load<Rgb24>(white.Bytes))
        {
            Assert.True(decoded[8, 4].R > 250 && decoded[8, 4].G > 250 && decoded[8, 4].B > 250, $"hidden red shows: {decoded[8, 4]}");
        }

        Assert.Contains(white.Notes, n => n.Contains("#ffffff", StringComparison.Ordinal));

        EncodedImage blue = ImageEncoder.Encode(image.Clone(), source, null, null, new EncodeSettings(ImageFormatKind.Jpeg, Background: new Rgb24(0, 0, 255)));
        using Image<Rgb24> onBlue = Image.Load<Rgb24>(blue.Bytes);
        Assert.True(onBlue[8, 4].B > 240 && onBlue[8, 4].R < 15, $"{onBlue[8, 4]}");
        Assert.Contains(blue.Notes, n => n.Contains("#0000ff", StringComparison.Ordinal));
    }

    [Fact]
    public void Webp_output_is_lossy_at_the_quality_unless_lossless_is_asked_whatever_the_input()
    {
        using DecodedImage png = ImageDecoder.Decode(File.ReadAllBytes(SharedAssets.Image("astronaut.png")), Limits);
        byte[] q30 = ImageEncoder.Encode(png.Pixels.CloneAs<Rgba32>(), png.Description, null, null, new EncodeSettings(ImageFormatKind.Webp, Quality: 30)).Bytes;
        byte[] q90 = ImageEncoder.Encode(png.Pixels.CloneAs<Rgba32>(), png.Description, null, null, new EncodeSettings(ImageFormatKind.Webp, Quality: 90)).Bytes;
        byte[] lossless = ImageEncoder.Encode(png.Pixels.CloneAs<Rgba32>(), png.Description, null, null, new EncodeSettings(ImageFormatKind.Webp, Lossless: true)).Bytes;
        Assert.Equal("lossy", WebpMux.Compression(q30));
        Assert.Equal("lossy", WebpMux.Compression(q90));
        Assert.Equal("lossless", WebpMux.Compression(lossless));
        Assert.True(q90.Length > 1.5 * q30.Length, $"q90 {q90.Length} vs q30 {q30.Length} bytes");

        // A lossless WebP input asked for lossless stays lossless; asked for nothing it is lossy.
        using DecodedImage webp = ImageDecoder.Decode(lossless, Limits);
        Assert.Equal("lossless", WebpMux.Compression(ImageEncoder.Encode(webp.Pixels, webp.Description, null, null, new EncodeSettings(Lossless: true)).Bytes));
        using DecodedImage again = ImageDecoder.Decode(lossless, Limits);
        Assert.Equal("lossy", WebpMux.Compression(ImageEncoder.Encode(again.Pixels, again.Description, null, null, new EncodeSettings()).Bytes));
    }

    [Fact]
    public void Webp_keeps_the_icc_profile_byte_for_byte_also_webp_to_webp()
    {
        using DecodedImage source = ImageDecoder.Decode(File.ReadAllBytes(SharedAssets.Image("scenetext01.jpg")), Limits);
        byte[] icc = source.IccProfile!.ToByteArray();
        EncodedImage encoded = ImageEncoder.Encode(source.Pixels, source.Description, source.IccProfile, source.ExifProfile, new EncodeSettings(ImageFormatKind.Webp));
        Assert.True(encoded.Description.HasIccProfile);
        Assert.Equal(icc, WebpMux.Icc(encoded.Bytes));

        using DecodedImage webp = ImageDecoder.Decode(encoded.Bytes, Limits);
        Assert.True(webp.Description.HasIccProfile);
        EncodedImage again = ImageEncoder.Encode(webp.Pixels, webp.Description, webp.IccProfile, webp.ExifProfile, new EncodeSettings());
        Assert.Equal(icc, WebpMux.Icc(again.Bytes));
        using Image<Rgb24> pixels = WebpMux.Decode(again.Bytes);
        Assert.Equal((source.Description.Width, source.Description.Height), (pixels.Width, pixels.Height));
    }

    [Fact]
    public void A_lossless_rgb_webp_converted_to_png_keeps_three_channels()
    {
        using Image<Rgba32> photo = Cut(64, 48);
        byte[] webp = WebpMux.EncodeLossless(photo.CloneAs<Rgb24>());
        using DecodedImage decoded = ImageDecoder.Decode(webp, Limits);
        Assert.False(decoded.Description.HasAlpha);
        EncodedImage png = ImageEncoder.Encode(decoded.Pixels, decoded.Description, null, null, new EncodeSettings(ImageFormatKind.Png));
        Assert.Equal(ColorKind.Rgb, png.Description.Color);
        Assert.Equal(24, Image.Identify(png.Bytes).PixelType.BitsPerPixel);
    }

    private static Image<Rgba32> Cut(int width, int height)
    {
        var photo = Image.Load<Rgba32>(SharedAssets.Image("astronaut.png"));
        photo.Mutate(x => x.Crop(new Rectangle(200, 80, width, height)));
        return photo;
    }
}
