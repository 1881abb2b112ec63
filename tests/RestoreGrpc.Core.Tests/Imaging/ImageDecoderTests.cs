using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Tests.Imaging;

public sealed class ImageDecoderTests
{
    private static readonly ImageLimits Limits = new();

    [Fact]
    public void A_truncated_jpeg_is_an_invalid_image_not_a_crash()
    {
        byte[] bytes = File.ReadAllBytes(SharedAssets.Image("truncated.jpg"));
        var error = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(bytes, Limits));
        Assert.Equal(RequestField.Image, error.Field);
        Assert.Contains("corrupt", error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_input_is_refused() =>
        Assert.Contains("empty", Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(Array.Empty<byte>(), Limits)).Description, StringComparison.Ordinal);

    [Fact]
    public void Unknown_magic_is_refused() =>
        Assert.Contains("not a recognised image", Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode("GIF? no, plain text"u8.ToArray(), Limits)).Description, StringComparison.Ordinal);

    [Fact]
    public void Absurd_dimensions_are_refused_from_the_header_before_decoding()
    {
        byte[] bytes = SyntheticImages.PngHeaderOnly(100_000, 100_000);
        var error = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(bytes, Limits));
        Assert.Contains("100000x100000", error.Description, StringComparison.Ordinal);

        byte[] tooMany = SyntheticImages.PngHeaderOnly(8000, 8000);
        Assert.Contains("MP", Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(tooMany, Limits)).Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Exif_orientation_is_applied_and_reset()
    {
        using DecodedImage decoded = ImageDecoder.Decode(SyntheticImages.RotatedJpeg(40, 20), Limits);
        Assert.Equal((20, 40), (decoded.Description.Width, decoded.Description.Height));
        Assert.Equal(6, decoded.Description.ExifOrientation);
        var pixels = (Image<Rgba32>)decoded.Pixels;
        // Stored red-left / blue-right, rotated 90° clockwise: red on top.
        Assert.True(pixels[10, 5].R > 200 && pixels[10, 35].B > 200);
        Assert.Equal((ushort)1, decoded.ExifProfile!.GetValue(SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag.Orientation)!.Value);
    }

    [Fact]
    public void A_gif_yields_its_first_frame()
    {
        using DecodedImage decoded = ImageDecoder.Decode(SyntheticImages.TwoFrameGif(), Limits);
        Assert.Equal(1, decoded.Pixels.Frames.Count);
        Assert.Equal(255, ((Image<Rgba32>)decoded.Pixels)[3, 3].R);
        Assert.Equal(ImageFormatKind.Gif, decoded.Description.Format);
    }

    [Theory]
    [InlineData("astronaut.png", ImageFormatKind.Png, ColorKind.Rgb, 8, false)]
    [InlineData("brick.png", ImageFormatKind.Png, ColorKind.Gray, 8, false)]
    [InlineData("stanford.png", ImageFormatKind.Png, ColorKind.Rgba, 8, true)]
    // Its tRNS makes index 0 transparent and index 3 opaque: the alpha is real (issue 19).
    [InlineData("foo3x5x4indexed.png", ImageFormatKind.Png, ColorKind.Palette, 8, true)]
    [InlineData("chessboard_GRAY_U16.tif", ImageFormatKind.Tiff, ColorKind.Gray, 16, false)]
    [InlineData("building.jpg", ImageFormatKind.Jpeg, ColorKind.Rgb, 8, false)]
    public void Layout_is_read_from_real_files(string file, ImageFormatKind format, ColorKind color, int depth, bool alpha)
    {
        using DecodedImage decoded = ImageDecoder.Decode(File.ReadAllBytes(SharedAssets.Image(file)), Limits);
        Assert.Equal((format, color, depth, alpha), (decoded.Description.Format, decoded.Description.Color, decoded.Description.BitDepth, decoded.Description.HasAlpha));
        Assert.IsType(depth > 8 ? typeof(Image<Rgba64>) : typeof(Image<Rgba32>), decoded.Pixels);
    }
}
