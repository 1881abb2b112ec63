using System.Buffers.Binary;
using System.IO.Hashing;

namespace RestoreGrpc.TestSupport;

/// <summary>
/// Damage that keeps a file well-formed at the byte level: header fields set to absurd values (PNG's IHDR with
/// its CRC recomputed, so a decoder gets past the checksum; JPEG's SOF; GIF's screen; BMP's info header) and PNG
/// chunks reordered, repeated or dropped. Formats without a case here yield nothing.
/// </summary>
public static class StructureMutations
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static IEnumerable<(string Mutation, byte[] Bytes)> Of(byte[] original)
    {
        ArgumentNullException.ThrowIfNull(original);
        if (original.AsSpan().StartsWith(PngSignature))
        {
            return Png(original);
        }

        if (original is [0xFF, 0xD8, ..])
        {
            return Jpeg(original);
        }

        if (original.Length > 10 && original[0] == 'G' && original[1] == 'I' && original[2] == 'F')
        {
            return Fields(original, "GIF screen", [("width", 6, 2), ("height", 8, 2)], littleEndian: true, [0, 1, 0xFFFF]);
        }

        if (original.Length > 30 && original[0] == 'B' && original[1] == 'M')
        {
            return Fields(original, "BMP info", [("width", 18, 4), ("height", 22, 4), ("bits per pixel", 28, 2)], littleEndian: true, [0, 7, 0xFFFF, 0x7FFFFFFF, 0x80000000]);
        }

        return [];
    }

    private static IEnumerable<(string, byte[])> Png(byte[] original)
    {
        List<(string Type, byte[] Data)> chunks = PngChunks(original);
        int ihdr = chunks.FindIndex(c => c.Type == "IHDR");
        if (ihdr < 0)
        {
            yield break;
        }

        // IHDR: width 4, height 4, bit depth 1, colour type 1, compression 1, filter 1, interlace 1.
        foreach ((string field, int offset, int size, uint[] values) in new (string, int, int, uint[])[]
        {
            ("width", 0, 4, [0, 1, 0x7FFFFFFF, 0xFFFFFFFF]),
            ("height", 4, 4, [0, 0x40000000]),
            ("bit depth", 8, 1, [0, 3, 16, 255]),
            ("colour type", 9, 1, [1, 5, 7]),
            ("compression", 10, 1, [1]),
            ("filter", 11, 1, [1]),
            ("interlace", 12, 1, [2]),
        })
        {
            foreach (uint value in values)
            {
                byte[] data = (byte[])chunks[ihdr].Data.Clone();
                Write(data.AsSpan(offset, size), value, littleEndian: false);
                List<(string, byte[])> changed = [.. chunks];
                changed[ihdr] = ("IHDR", data);
                yield return ($"IHDR {field} = {value} (CRC fixed)", PngFile(changed));
            }
        }

        byte[] square = (byte[])chunks[ihdr].Data.Clone();
        Write(square.AsSpan(0, 4), 65535, littleEndian: false);
        Write(square.AsSpan(4, 4), 65535, littleEndian: false);
        List<(string, byte[])> bomb = [.. chunks];
        bomb[ihdr] = ("IHDR", square);
        yield return ("IHDR 65535x65535 (CRC fixed)", PngFile(bomb));

        (string Type, byte[] Data) end = chunks[^1];
        List<(string Type, byte[] Data)> body = chunks[..^1];
        yield return ("IEND first", PngFile([end, .. body]));
        yield return ("IHDR after the image data", PngFile([.. body.Where(c => c.Type != "IHDR"), chunks[ihdr], end]));
        yield return ("IHDR twice", PngFile([chunks[ihdr], .. body, end]));
        yield return ("IHDR dropped", PngFile([.. chunks.Where(c => c.Type != "IHDR")]));
        yield return ("IDAT dropped", PngFile([.. chunks.Where(c => c.Type != "IDAT")]));
        yield return ("IDAT chunks reversed", PngFile([.. body.Where(c => c.Type != "IDAT"), .. body.Where(c => c.Type == "IDAT").Reverse(), end]));
        yield return ("IDAT twice", PngFile([.. body, .. body.Where(c => c.Type == "IDAT"), end]));
        if (chunks.Any(c => c.Type == "PLTE"))
        {
            yield return ("PLTE after the image data", PngFile([.. body.Where(c => c.Type != "PLTE"), .. body.Where(c => c.Type == "PLTE"), end]));
            yield return ("PLTE dropped", PngFile([.. chunks.Where(c => c.Type != "PLTE")]));
        }

        yield return ("unknown critical chunk", PngFile([.. body.Take(ihdr + 1), ("ABCD", [1, 2, 3]), .. body.Skip(ihdr + 1), end]));
    }

    private static IEnumerable<(string, byte[])> Jpeg(byte[] original)
    {
        // Start-of-frame (baseline, extended, progressive, lossless): length 2, precision 1, height 2, width 2, components 1.
        int sof = -1;
        for (int i = 2; i + 9 < original.Length; i++)
        {
            if (original[i] == 0xFF && original[i + 1] is 0xC0 or 0xC1 or 0xC2 or 0xC3)
            {
                sof = i + 2;
                break;
            }
        }

        return sof < 0 ? [] : Fields(original, "SOF", [("precision", sof + 2, 1), ("height", sof + 3, 2), ("width", sof + 5, 2), ("components", sof + 7, 1)], littleEndian: false, [0, 2, 5, 12, 16, 0xFFFF]);
    }

    private static IEnumerable<(string, byte[])> Fields(byte[] original, string header, (string Field, int Offset, int Size)[] fields, bool littleEndian, uint[] values)
    {
        foreach ((string field, int offset, int size) in fields)
        {
            foreach (uint value in values.Where(v => size == 4 || v <= (size == 1 ? 0xFFu : 0xFFFFu)))
            {
                byte[] copy = (byte[])original.Clone();
                Write(copy.AsSpan(offset, size), value, littleEndian);
                yield return ($"{header} {field} = {value}", copy);
            }
        }
    }

    private static void Write(Span<byte> target, uint value, bool littleEndian)
    {
        switch (target.Length)
        {
            case 1: target[0] = (byte)value; break;
            case 2 when littleEndian: BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)value); break;
            case 2: BinaryPrimitives.WriteUInt16BigEndian(target, (ushort)value); break;
            case 4 when littleEndian: BinaryPrimitives.WriteUInt32LittleEndian(target, value); break;
            default: BinaryPrimitives.WriteUInt32BigEndian(target, value); break;
        }
    }

    private static List<(string Type, byte[] Data)> PngChunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (int at = PngSignature.Length; at + 12 <= png.Length;)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            if (length < 0 || at + 12 + length > png.Length)
            {
                break;
            }

            chunks.Add((System.Text.Encoding.ASCII.GetString(png, at + 4, 4), png[(at + 8)..(at + 8 + length)]));
            at += 12 + length;
        }

        return chunks;
    }

    /// <summary>A PNG of these chunks, each with its correct CRC.</summary>
    private static byte[] PngFile(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        using var file = new MemoryStream();
        file.Write(PngSignature);
        Span<byte> word = stackalloc byte[4];
        foreach ((string type, byte[] data) in chunks)
        {
            BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
            file.Write(word);
            byte[] typed = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
            file.Write(typed);
            BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.HashToUInt32(typed));
            file.Write(word);
        }

        return file.ToArray();
    }
}
