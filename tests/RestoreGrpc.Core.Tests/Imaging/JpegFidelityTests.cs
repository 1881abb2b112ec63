using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Tests.Imaging;

/// <summary>
/// The server's JPEG pixels against libjpeg-turbo's default decode (djpeg: islow IDCT, fancy upsampling), the decode
/// PIL and OpenCV users get. Sources are real photos cut to odd sizes, so the chroma edges are exercised too.
/// </summary>
public sealed class JpegFidelityTests
{
    private static readonly ImageLimits Limits = new();

    public static TheoryData<string> CjpegModes() => new()
    {
        "-quality 90 -sample 2x2",
        "-quality 90 -sample 2x1",
        "-quality 90 -sample 1x2",
        "-quality 90 -sample 1x1",
        "-quality 75 -sample 2x2 -progressive",
        "-quality 95 -sample 1x1 -progressive",
        "-quality 85 -sample 2x2 -optimize -restart 3",
        "-quality 90 -grayscale",
    };

    [Theory]
    [MemberData(nameof(CjpegModes))]
    public void Decoded_pixels_are_within_one_level_of_libjpeg(string cjpegArguments)
    {
        using Image<Rgb24> photo = Photo();
        byte[] jpeg = LibJpeg.Encode(photo, cjpegArguments);
        AssertMatchesLibJpeg(jpeg);
    }

    [Fact]
    public void A_cmyk_jpeg_decodes_like_libjpeg()
    {
        using Image<Rgb24> photo = Photo();
        byte[] jpeg = LibJpeg.EncodeCmyk(photo, 90);
        AssertMatchesLibJpeg(jpeg);
    }

    [Theory]
    [InlineData("baboon.jpg")]
    [InlineData("building.jpg")]
    [InlineData("hubble_deep_field.jpg")]
    [InlineData("messi5.jpg")]
    [InlineData("rocket.jpg")]
    [InlineData("scenetext01.jpg")]
    public void Real_jpeg_files_decode_like_libjpeg(string file) =>
        AssertMatchesLibJpeg(File.ReadAllBytes(SharedAssets.Image(file)));

    [Fact]
    public void A_jpeg_cut_to_half_its_length_is_refused_not_filled_with_black_rows()
    {
        byte[] whole = File.ReadAllBytes(SharedAssets.Image("building.jpg"));
        var error = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(whole.AsMemory(0, whole.Length / 2), Limits));
        Assert.Equal(RequestField.Image, error.Field);
        Assert.Contains("truncated", error.Description, StringComparison.Ordinal);
    }

    private static void AssertMatchesLibJpeg(byte[] jpeg)
    {
        using Image<Rgb24> reference = LibJpeg.Decode(jpeg);
        using DecodedImage decoded = ImageDecoder.Decode(jpeg, Limits);
        using Image<Rgb24> ours = decoded.Pixels.CloneAs<Rgb24>();
        PixelDifference difference = PixelDifference.Between(reference, ours);
        Assert.True(difference.MaxLevels <= 1, $"decoded pixels differ from libjpeg's by {difference}");
    }

    /// <summary>A 301×203 cut of a real photo (odd sizes: partial MCUs at the right and bottom edges).</summary>
    private static Image<Rgb24> Photo()
    {
        var photo = Image.Load<Rgb24>(SharedAssets.Image("astronaut.png"));
        photo.Mutate(x => x.Crop(new Rectangle(97, 41, 301, 203)));
        return photo;
    }
}
