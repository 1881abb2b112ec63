using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Reads and writes a PNG's ICC profile (<c>iCCP</c> chunk, PNG spec §11.3.3.3), which ImageSharp 2 neither reads
/// nor writes; dropping a photo's profile shifts its colours.
/// </summary>
internal static class PngIccChunk
{
    private const int SignatureLength = 8;
    private const int IhdrChunkLength = 4 + 4 + 13 + 4;

    public static byte[] Insert(byte[] png, byte[] iccProfile)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(iccProfile);
        }

        // Type, profile name (1-79 Latin-1 bytes), NUL, compression method 0 (deflate), zlib stream.
        byte[] body = [.. "iCCPICC Profile"u8, 0, 0, .. compressed.ToArray()];
        int insertAt = SignatureLength + IhdrChunkLength;
        byte[] result = new byte[png.Length + 4 + body.Length + 4];
        png.AsSpan(0, insertAt).CopyTo(result);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(insertAt), (uint)(body.Length - 4));
        body.CopyTo(result, insertAt + 4);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(insertAt + 4 + body.Length), Crc32.HashToUInt32(body));
        png.AsSpan(insertAt).CopyTo(result.AsSpan(insertAt + 4 + body.Length + 4));
        return result;
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
