using System.Buffers.Binary;
using System.IO.Compression;
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

    [Fact]
    public void Stripes_deflated_in_parallel_form_one_zlib_stream_with_the_right_checksum()
    {
        // 512² RGB is four stripes, RGBA five: each ends in a sync flush, only the last in a final block.
        using DecodedImage source = ImageDecoder.Decode(File.ReadAllBytes(SharedAssets.Image("astronaut.png")), Limits);
        foreach (bool alpha in new[] { false, true })
        {
            EncodedImage encoded = ImageEncoder.Encode(
                source.Pixels,
                source.Description with { Format = ImageFormatKind.Png, Color = alpha ? ColorKind.Rgba : ColorKind.Rgb, HasAlpha = alpha },
                null,
                null,
                new EncodeSettings(ImageFormatKind.Png));
            byte[] zlib = Idat(encoded.Bytes);

            // The runtime's zlib inflates it to the end and checks the Adler-32 trailer itself.
            using var inflated = new MemoryStream();
            using (var inflate = new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress))
            {
                inflate.CopyTo(inflated);
            }

            int stride = (source.Pixels.Width * (alpha ? 4 : 3)) + 1;
            Assert.Equal(source.Pixels.Height * stride, inflated.Length);
            Assert.Equal(AdlerByDefinition(inflated.ToArray()), BinaryPrimitives.ReadUInt32BigEndian(zlib.AsSpan(zlib.Length - 4)));

            // A wrong checksum is refused, so the check above is real.
            zlib[^1] ^= 1;
            Assert.Throws<InvalidDataException>(() => new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress).CopyTo(Stream.Null));
        }
    }

    [Fact]
    public void Adler32_combines_pieces_into_the_checksum_of_the_whole()
    {
        Assert.Equal(0x11E60398u, Adler32.Update(Adler32.Initial, "Wikipedia"u8)); // the textbook example
        var random = new Random(3);
        byte[] data = new byte[200_000];
        random.NextBytes(data);
        data.AsSpan(0, 70_000).Fill(255); // the largest sums
        uint whole = AdlerByDefinition(data);
        Assert.Equal(whole, Adler32.Update(Adler32.Initial, data));
        foreach (int cut in new[] { 0, 1, 5552, 65521, 70_000, 199_999, 200_000 })
        {
            uint first = Adler32.Update(Adler32.Initial, data.AsSpan(0, cut));
            uint second = Adler32.Update(Adler32.Initial, data.AsSpan(cut));
            Assert.Equal(whole, Adler32.Combine(first, second, data.Length - cut));
        }
    }

    /// <summary>RFC 1950's definition, reduced at every byte.</summary>
    private static uint AdlerByDefinition(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (byte value in data)
        {
            a = (a + value) % 65521;
            b = (b + a) % 65521;
        }

        return (b << 16) | a;
    }

    /// <summary>The IDAT chunks' data, concatenated: the zlib stream.</summary>
    private static byte[] Idat(byte[] png)
    {
        var zlib = new MemoryStream();
        for (int offset = 8; offset < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            if (png.AsSpan(offset + 4, 4).SequenceEqual("IDAT"u8))
            {
                zlib.Write(png, offset + 8, length);
            }

            offset += 12 + length;
        }

        return zlib.ToArray();
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
