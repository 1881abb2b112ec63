using RestoreGrpc.Core.Imaging;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Tests.Imaging;

public sealed class ImageEncoderTests
{
    private static readonly ImageLimits Limits = new();

    [Theory]
    [InlineData(ImageFormatKind.Png)]
    [InlineData(ImageFormatKind.Jpeg)]
    [InlineData(ImageFormatKind.Webp)]
    [InlineData(ImageFormatKind.Tiff)]
    [InlineData(ImageFormatKind.Bmp)]
    [InlineData(ImageFormatKind.Gif)]
    public void Every_format_round_trips_through_the_decoder(ImageFormatKind format)
    {
        using DecodedImage source = ImageDecoder.Decode(SyntheticImages.AlphaGradientPng(33, 17), Limits);
        EncodedImage encoded = ImageEncoder.Encode(source.Pixels, source.Description, null, null, new EncodeSettings(format));
        using DecodedImage again = ImageDecoder.Decode(encoded.Bytes, Limits);
        Assert.Equal(format, again.Description.Format);
        Assert.Equal((33, 17), (again.Description.Width, again.Description.Height));
        Assert.Equal(encoded.Bytes.Length, encoded.Description.EncodedBytes);
    }

    [Fact]
    public void Sixteen_bit_gray_stays_sixteen_bit_gray_in_png_and_tiff()
    {
        using DecodedImage source = ImageDecoder.Decode(SyntheticImages.Gray16Png(40, 10), Limits);
        Assert.Equal((ColorKind.Gray, 16), (source.Description.Color, source.Description.BitDepth));
        foreach (ImageFormatKind format in new[] { ImageFormatKind.Png, ImageFormatKind.Tiff })
        {
            EncodedImage encoded = ImageEncoder.Encode(source.Pixels, source.Description, null, null, new EncodeSettings(format));
            Assert.Equal((ColorKind.Gray, 16), (encoded.Description.Color, encoded.Description.BitDepth));
            IImageInfo info = Image.Identify(encoded.Bytes);
            Assert.Equal(16, info.PixelType.BitsPerPixel);
            using Image<L16> decoded = Image.Load<L16>(encoded.Bytes);
            Assert.Equal(20000 + (7 * 37) + (3 * 3), decoded[7, 3].PackedValue);
        }
    }

    [Fact]
    public void Jpeg_keeps_icc_profile_and_exif_unless_stripped()
    {
        byte[] bytes = File.ReadAllBytes(SharedAssets.Image("rocket.jpg"));
        using DecodedImage source = ImageDecoder.Decode(bytes, Limits);
        Assert.True(source.Description.HasIccProfile);

        EncodedImage kept = ImageEncoder.Encode(source.Pixels, source.Description, source.IccProfile, source.ExifProfile, new EncodeSettings());
        Assert.NotNull(Image.Identify(kept.Bytes).Metadata.IccProfile);
        Assert.True(kept.Description.HasIccProfile);

        EncodedImage stripped = ImageEncoder.Encode(source.Pixels, source.Description, source.IccProfile, source.ExifProfile, new EncodeSettings(StripMetadata: true));
        Assert.Null(Image.Identify(stripped.Bytes).Metadata.IccProfile);
    }

    [Theory]
    [InlineData(ImageFormatKind.Png)]
    [InlineData(ImageFormatKind.Tiff)]
    public void Png_and_tiff_keep_the_icc_profile_byte_for_byte(ImageFormatKind format)
    {
        using DecodedImage source = ImageDecoder.Decode(File.ReadAllBytes(SharedAssets.Image("scenetext01.jpg")), Limits);
        Assert.NotNull(source.IccProfile);
        EncodedImage encoded = ImageEncoder.Encode(source.Pixels, source.Description, source.IccProfile, source.ExifProfile, new EncodeSettings(format));
        Assert.True(encoded.Description.HasIccProfile);
        using DecodedImage again = ImageDecoder.Decode(encoded.Bytes, Limits);
        Assert.Equal((source.Description.Width, source.Description.Height), (again.Description.Width, again.Description.Height));

        // ImageSharp 2 does not read PNG's iCCP back, so the PNG chunk is read here by hand (pngcheck agrees).
        byte[] written = format == ImageFormatKind.Png
            ? ReadPngIccProfile(encoded.Bytes)
            : again.Pixels.Frames.RootFrame.Metadata.IccProfile!.ToByteArray();
        Assert.Equal(source.IccProfile!.ToByteArray(), written);

        // And the decoder picks it up again, so PNG→PNG and TIFF→TIFF restorations keep it.
        Assert.True(again.Description.HasIccProfile);
        Assert.Equal(written, again.IccProfile!.ToByteArray());
    }

    [Fact]
    public void Jpeg_quality_changes_the_size()
    {
        using DecodedImage source = ImageDecoder.Decode(File.ReadAllBytes(SharedAssets.Image("baboon.jpg")), Limits);
        int low = ImageEncoder.Encode(source.Pixels, source.Description, null, null, new EncodeSettings(Quality: 30)).Bytes.Length;
        int high = ImageEncoder.Encode(source.Pixels, source.Description, null, null, new EncodeSettings(Quality: 98)).Bytes.Length;
        Assert.True(high > 2 * low, $"q98 {high} bytes vs q30 {low} bytes");
    }

    [Fact]
    public void Palette_sources_are_written_as_truecolor()
    {
        using DecodedImage source = ImageDecoder.Decode(File.ReadAllBytes(SharedAssets.Image("palette_color.png")), Limits);
        Assert.Equal(ColorKind.Palette, source.Description.Color);
        Assert.Equal(ColorKind.Rgb, ImageEncoder.OutputColor(source.Description, ImageFormatKind.Png));
    }

    private static byte[] ReadPngIccProfile(byte[] png)
    {
        for (int offset = 8; offset < png.Length;)
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            string type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            if (type == "iCCP")
            {
                ReadOnlySpan<byte> data = png.AsSpan(offset + 8, length);
                int nul = data.IndexOf((byte)0);
                Assert.Equal(0, data[nul + 1]); // compression method: deflate
                using var inflated = new MemoryStream();
                using (var zlib = new System.IO.Compression.ZLibStream(new MemoryStream(data[(nul + 2)..].ToArray()), System.IO.Compression.CompressionMode.Decompress))
                {
                    zlib.CopyTo(inflated);
                }

                return inflated.ToArray();
            }

            offset += 12 + length;
        }

        throw new Xunit.Sdk.XunitException("no iCCP chunk");
    }
}
