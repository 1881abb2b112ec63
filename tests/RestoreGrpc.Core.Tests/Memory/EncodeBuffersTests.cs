using System.Runtime.InteropServices;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Tests.Memory;

/// <summary>Encoded output sits in a pooled buffer, handed out without a copy and given back on dispose.</summary>
public sealed class EncodeBuffersTests
{
    [Theory]
    [InlineData(ImageFormatKind.Png)] // the striped zlib-ng writer: one contiguous pooled buffer
    [InlineData(ImageFormatKind.Jpeg)] // ImageSharp's encoders write into pooled blocks
    public void Encoded_bytes_are_a_pooled_buffer_that_decodes_to_the_image_and_is_returned_on_dispose(ImageFormatKind format)
    {
        using DecodedImage source = ImageDecoder.Decode(File.ReadAllBytes(SharedAssets.Image("astronaut.png")), new ImageLimits());
        EncodedImage encoded = ImageEncoder.Encode(source.Pixels, source.Description, null, null, new EncodeSettings(format));

        // Not an array of its own: a slice of a larger pooled buffer.
        Assert.True(MemoryMarshal.TryGetArray(encoded.Memory, out ArraySegment<byte> segment));
        Assert.True(segment.Array!.Length > segment.Count, $"{segment.Count} bytes in a {segment.Array.Length}-byte buffer");
        Assert.Equal(encoded.Description.EncodedBytes, encoded.Memory.Length);
        Assert.Equal(encoded.Memory.ToArray(), encoded.Bytes);
        using (Image<Rgba32> decoded = Image.Load<Rgba32>(encoded.Bytes))
        {
            Assert.Equal((512, 512), (decoded.Width, decoded.Height));
        }

        encoded.Dispose();
        encoded.Dispose();
    }
}
