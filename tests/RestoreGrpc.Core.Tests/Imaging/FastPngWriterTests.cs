using System.Buffers.Binary;
using System.IO.Hashing;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Tests.Imaging;

/// <summary>The zlib-ng PNG path must give exactly the pixels ImageSharp's own encoder gives, in a valid file.</summary>
public sealed class FastPngWriterTests
{
    private static readonly ImageLimits Limits = new();

    [Theory]
    [InlineData("astronaut.png", false)]
    [InlineData("building.jpg", false)]
    [InlineData("stanford.png", true)]
    public void Pixels_match_the_imagesharp_encoder_exactly(string file, bool alpha)
    {
        using DecodedImage source = ImageDecoder.Decode(File.ReadAllBytes(SharedAssets.Image(file)), Limits);
        var settings = new EncodeSettings(ImageFormatKind.Png);
        EncodedImage fast = ImageEncoder.Encode(source.Pixels, source.Description, null, null, settings);
        Assert.Equal(alpha, fast.Description.HasAlpha);

        using var reference = new MemoryStream();
        source.Pixels.Save(reference, new PngEncoder { ColorType = alpha ? PngColorType.RgbWithAlpha : PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
        using Image<Rgba32> expected = Image.Load<Rgba32>(reference.ToArray());
        using Image<Rgba32> actual = Image.Load<Rgba32>(fast.Bytes);
        Assert.Equal(alpha ? PngColorType.RgbWithAlpha : PngColorType.Rgb, Image.Identify(fast.Bytes).Metadata.GetPngMetadata().ColorType);
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        for (int y = 0; y < expected.Height; y++)
        {
            Assert.True(expected.DangerousGetPixelRowMemory(y).Span.SequenceEqual(actual.DangerousGetPixelRowMemory(y).Span), $"row {y} differs");
        }

        AssertValidChunks(fast.Bytes);
    }

    [Fact]
    public void Icc_profile_exif_and_resolution_survive_and_every_chunk_is_valid()
    {
        using DecodedImage source = ImageDecoder.Decode(File.ReadAllBytes(SharedAssets.Image("rocket.jpg")), Limits);
        Assert.NotNull(source.IccProfile);
        ExifProfile exif = source.ExifProfile ?? new ExifProfile();
        exif.SetValue(ExifTag.Software, "RestoreGrpc test");
        source.Pixels.Metadata.HorizontalResolution = 300;
        source.Pixels.Metadata.VerticalResolution = 300;
        source.Pixels.Metadata.ResolutionUnits = SixLabors.ImageSharp.Metadata.PixelResolutionUnit.PixelsPerInch;

        EncodedImage encoded = ImageEncoder.Encode(source.Pixels, source.Description with { Format = ImageFormatKind.Png }, source.IccProfile, exif, new EncodeSettings(ImageFormatKind.Png));
        List<string> chunks = AssertValidChunks(encoded.Bytes);
        Assert.Equal("IHDR", chunks[0]);
        Assert.True(chunks.IndexOf("iCCP") < chunks.IndexOf("IDAT"), string.Join(",", chunks));
        Assert.Equal("IEND", chunks[^1]);

        using DecodedImage again = ImageDecoder.Decode(encoded.Bytes, Limits);
        Assert.Equal(source.IccProfile!.ToByteArray(), again.IccProfile!.ToByteArray());
        Assert.Equal("RestoreGrpc test", again.ExifProfile!.GetValue(ExifTag.Software)!.Value);
        // PNG stores pixels per metre: 300 dpi is 11811 per metre.
        Assert.Equal(SixLabors.ImageSharp.Metadata.PixelResolutionUnit.PixelsPerMeter, again.Pixels.Metadata.ResolutionUnits);
        Assert.Equal(300 / 0.0254, again.Pixels.Metadata.HorizontalResolution, 1.0);
    }

    /// <summary>Walks the chunks, checking each CRC-32; returns their types in order.</summary>
    private static List<string> AssertValidChunks(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var types = new List<string>();
        int offset = 8;
        while (offset < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            ReadOnlySpan<byte> typeAndData = png.AsSpan(offset + 4, 4 + length);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length)), Crc32.HashToUInt32(typeAndData));
            types.Add(System.Text.Encoding.ASCII.GetString(typeAndData[..4]));
            offset += 12 + length;
        }

        Assert.Equal(png.Length, offset);
        return types;
    }
}
