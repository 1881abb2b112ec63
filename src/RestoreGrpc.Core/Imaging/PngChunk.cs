using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace RestoreGrpc.Core.Imaging;

/// <summary>PNG chunk framing (length, type, data, CRC-32 of type and data; PNG spec §5.3).</summary>
internal static class PngChunk
{
    public static void Write(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        output.Write(word);
    }

    /// <summary>The data of an <c>iCCP</c> chunk: profile name, NUL, compression method 0, zlib stream.</summary>
    public static byte[] IccData(byte[] iccProfile)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(iccProfile);
        }

        return [.. "ICC Profile"u8, 0, 0, .. compressed.ToArray()];
    }
}
