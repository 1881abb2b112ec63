using System.Buffers.Binary;
using System.IO.Compression;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Reads and writes a PNG's ICC profile (<c>iCCP</c> chunk, PNG spec §11.3.3.3), which ImageSharp 2 neither reads
/// nor writes; dropping a photo's profile shifts its colours.
/// </summary>
internal static class PngIccChunk
{
    private const int SignatureLength = 8;
    private const int IhdrChunkLength = 4 + 4 + 13 + 4;

    /// <summary>Inserts an <c>iCCP</c> chunk right after <c>IHDR</c> (where the spec wants it: before PLTE and IDAT).</summary>
    public static byte[] Insert(byte[] png, byte[] iccProfile)
    {
        int insertAt = SignatureLength + IhdrChunkLength;
        using var result = new MemoryStream(png.Length + iccProfile.Length + 64);
        result.Write(png, 0, insertAt);
        PngChunk.Write(result, "iCCP"u8, PngChunk.IccData(iccProfile));
        result.Write(png, insertAt, png.Length - insertAt);
        return result.ToArray();
    }

    /// <summary>The profile of an <c>iCCP</c> chunk before the image data; null when there is none or it is broken.</summary>
    public static byte[]? TryRead(ReadOnlySpan<byte> png)
    {
        int offset = SignatureLength;
        while (offset + 12 <= png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png[offset..]);
            if (length < 0 || offset + 12L + length > png.Length)
            {
                return null;
            }

            ReadOnlySpan<byte> type = png.Slice(offset + 4, 4);
            if (type.SequenceEqual("IDAT"u8))
            {
                return null;
            }

            if (type.SequenceEqual("iCCP"u8))
            {
                ReadOnlySpan<byte> data = png.Slice(offset + 8, length);
                int nul = data.IndexOf((byte)0);
                if (nul < 1 || nul + 2 > data.Length || data[nul + 1] != 0)
                {
                    return null;
                }

                try
                {
                    using var inflated = new MemoryStream();
                    using (var zlib = new ZLibStream(new MemoryStream(data[(nul + 2)..].ToArray()), CompressionMode.Decompress))
                    {
                        zlib.CopyTo(inflated);
                    }

                    return inflated.ToArray();
                }
                catch (InvalidDataException)
                {
                    return null;
                }
            }

            offset += 12 + length;
        }

        return null;
    }
}
