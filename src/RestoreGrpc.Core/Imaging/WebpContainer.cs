using System.Buffers.Binary;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// The WebP RIFF container (Google's "WebP Container Specification"): adds an ICC profile (ICCP) and EXIF to an
/// encoded WebP by writing the extended form, VP8X · ICCP · [ALPH] · VP8/VP8L · EXIF, and tells from the header
/// whether a WebP's pixels use alpha.
/// </summary>
internal static class WebpContainer
{
    private const int IccFlag = 0x20;
    private const int AlphaFlag = 0x10;
    private const int ExifFlag = 0x08;

    public static byte[] WithMetadata(byte[] webp, int width, int height, bool alpha, byte[]? icc, byte[]? exif)
    {
        if (icc is null && exif is null)
        {
            return webp;
        }

        List<(string Type, ReadOnlyMemory<byte> Data)> chunks = Chunks(webp)
            .Where(c => c.Type is not ("VP8X" or "ICCP" or "EXIF"))
            .ToList();
        int flags = (icc is not null ? IccFlag : 0) | (exif is not null ? ExifFlag : 0) | (alpha || chunks.Any(c => c.Type == "ALPH") ? AlphaFlag : 0);
        byte[] vp8x = new byte[10];
        vp8x[0] = (byte)flags;
        WriteUInt24(vp8x.AsSpan(4), width - 1);
        WriteUInt24(vp8x.AsSpan(7), height - 1);

        var ordered = new List<(string Type, ReadOnlyMemory<byte> Data)> { ("VP8X", vp8x) };
        if (icc is not null)
        {
            ordered.Add(("ICCP", icc));
        }

        ordered.AddRange(chunks);
        if (exif is not null)
        {
            ordered.Add(("EXIF", exif));
        }

        using var output = new MemoryStream();
        output.Write("RIFF"u8);
        output.Write(new byte[4]);
        output.Write("WEBP"u8);
        Span<byte> size = stackalloc byte[4];
        foreach ((string type, ReadOnlyMemory<byte> data) in ordered)
        {
            output.Write(System.Text.Encoding.ASCII.GetBytes(type));
            BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)data.Length);
            output.Write(size);
            output.Write(data.Span);
            if (data.Length % 2 == 1)
            {
                output.WriteByte(0);
            }
        }

        byte[] bytes = output.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        return bytes;
    }

    /// <summary>
    /// Whether the pixels use alpha: VP8X's alpha flag, VP8L's alpha_is_used bit, never for plain VP8. Null when the
    /// header cannot be read.
    /// </summary>
    public static bool? UsesAlpha(ReadOnlyMemory<byte> webp)
    {
        try
        {
            foreach ((string type, ReadOnlyMemory<byte> data) in Chunks(webp))
            {
                ReadOnlySpan<byte> d = data.Span;
                switch (type)
                {
                    case "VP8X" when d.Length >= 1:
                        return (d[0] & AlphaFlag) != 0;
                    case "VP8L" when d.Length >= 5:
                        // Signature 0x2f, then 14 bits width-1, 14 bits height-1, 1 bit alpha_is_used.
                        return (d[4] & 0x10) != 0;
                    case "VP8 ":
                        return false;
                }
            }
        }
        catch (ArgumentOutOfRangeException)
        {
        }

        return null;
    }

    /// <summary>The ICCP chunk's profile, or null.</summary>
    public static byte[]? TryReadIcc(ReadOnlyMemory<byte> webp) =>
        Chunks(webp).Where(c => c.Type == "ICCP").Select(c => c.Data.ToArray()).FirstOrDefault();

    private static IEnumerable<(string Type, ReadOnlyMemory<byte> Data)> Chunks(ReadOnlyMemory<byte> webp)
    {
        int position = 12;
        while (position + 8 <= webp.Length)
        {
            string type = System.Text.Encoding.ASCII.GetString(webp.Span.Slice(position, 4));
            int length = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(webp.Span[(position + 4)..]), int.MaxValue);
            int start = position + 8;
            int available = Math.Min(length, webp.Length - start);
            yield return (type, webp.Slice(start, available));
            position = start + available + (available % 2);
        }
    }

    private static void WriteUInt24(Span<byte> target, int value)
    {
        target[0] = (byte)value;
        target[1] = (byte)(value >> 8);
        target[2] = (byte)(value >> 16);
    }
}
