using System.Buffers.Binary;
using BitMiracle.LibTiff.Classic;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Adds an EXIF private IFD to a classic TIFF written by LibTiff.NET. LibTiff.NET 2.4 reads EXIF IFDs but cannot write
/// them (it has no <c>CreateEXIFDirectory</c>, and its <c>WriteCustomDirectory</c> writes no entries), so the writer
/// leaves a placeholder <see cref="TiffTag.EXIFIFD"/> entry in IFD0 and this class appends the IFD (TIFF 6.0 §2 layout,
/// in the file's byte order) and points the placeholder at it.
/// </summary>
/// <remarks>
/// Only the tags in LibTiff's EXIF field list (<c>TiffTag.EXIF_*</c>) are written, and only those whose ImageSharp
/// value is a byte, ASCII, short, long, rational or undefined type. The rest are skipped: IFD0 tags (Make, Model,
/// Software, DateTime, Artist, Copyright, ImageDescription go into IFD0 through <see cref="TiffWriter"/>; the
/// orientation is always written as 1), GPS and interoperability tags, maker-specific and unknown tags.
/// </remarks>
internal static class TiffExifDirectory
{
    /// <summary>Placeholder value of the EXIFIFD entry until the IFD is appended.</summary>
    public const int Placeholder = 0x7fff_fff0;

    private static readonly HashSet<ushort> ExifTags = Enum.GetValues<TiffTag>()
        .Where(t => t.ToString().StartsWith("EXIF_", StringComparison.Ordinal))
        .Select(t => (ushort)t)
        .ToHashSet();

    /// <summary>The entries of an EXIF IFD for a profile; empty when none of its tags can be written.</summary>
    public static IReadOnlyList<Entry> Entries(ExifProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var entries = new List<Entry>();
        foreach (IExifValue value in profile.Values)
        {
            ushort tag = (ushort)value.Tag;
            if (ExifTags.Contains(tag) && ToEntry(tag, value) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries.OrderBy(e => e.Tag).ToList();
    }

    /// <summary>Appends the IFD holding <paramref name="entries"/> and points IFD0's placeholder EXIFIFD entry at it.</summary>
    public static byte[] Append(byte[] tiff, IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(tiff);
        ArgumentNullException.ThrowIfNull(entries);
        bool big = tiff[0] == (byte)'M';
        uint ifd0 = ReadUInt32(tiff, 4, big);
        int count = ReadUInt16(tiff, (int)ifd0, big);
        int placeholder = -1;
        for (int i = 0; i < count; i++)
        {
            int at = (int)ifd0 + 2 + (i * 12);
            if (ReadUInt16(tiff, at, big) == (ushort)TiffTag.EXIFIFD)
            {
                placeholder = at;
            }
        }

        if (placeholder < 0)
        {
            throw new InvalidOperationException("LibTiff wrote no EXIFIFD placeholder entry");
        }

        int start = (tiff.Length + 1) & ~1;
        int dataStart = start + 2 + (entries.Count * 12) + 4;
        byte[][] values = entries.Select(e => e.Serialize(big)).ToArray();
        int size = dataStart + values.Sum(v => v.Length > 4 ? (v.Length + 1) & ~1 : 0);
        byte[] output = new byte[size];
        tiff.CopyTo(output, 0);
        WriteUInt16(output, start, (ushort)entries.Count, big);
        int data = dataStart;
        for (int i = 0; i < entries.Count; i++)
        {
            Entry entry = entries[i];
            int at = start + 2 + (i * 12);
            WriteUInt16(output, at, entry.Tag, big);
            WriteUInt16(output, at + 2, (ushort)entry.Type, big);
            WriteUInt32(output, at + 4, (uint)entry.Count, big);
            byte[] bytes = values[i];
            if (bytes.Length <= 4)
            {
                bytes.CopyTo(output, at + 8);
            }
            else
            {
                WriteUInt32(output, at + 8, (uint)data, big);
                bytes.CopyTo(output, data);
                data += (bytes.Length + 1) & ~1;
            }
        }

        // Next-IFD link of a private IFD stays 0. The placeholder becomes a LONG offset (TIFF 6.0 / EXIF 2.3 §4.6.3).
        WriteUInt16(output, placeholder + 2, (ushort)TiffType.LONG, big);
        WriteUInt32(output, placeholder + 4, 1, big);
        WriteUInt32(output, placeholder + 8, (uint)start, big);
        return output;
    }

    private static Entry? ToEntry(ushort tag, IExifValue value) => value.GetValue() switch
    {
        string s => Ascii(tag, s),
        byte b => new Entry(tag, value.DataType == ExifDataType.Undefined ? TiffType.UNDEFINED : TiffType.BYTE, [b], 1),
        byte[] b => new Entry(tag, value.DataType == ExifDataType.Undefined ? TiffType.UNDEFINED : TiffType.BYTE, b, b.Length),
        ushort u => Numbers(tag, TiffType.SHORT, [u], 2),
        ushort[] u => Numbers(tag, TiffType.SHORT, u.Select(x => (ulong)x).ToArray(), 2),
        uint u => Numbers(tag, TiffType.LONG, [u], 4),
        uint[] u => Numbers(tag, TiffType.LONG, u.Select(x => (ulong)x).ToArray(), 4),
        Rational r => Numbers(tag, TiffType.RATIONAL, [r.Numerator, r.Denominator], 4),
        Rational[] r => Numbers(tag, TiffType.RATIONAL, r.SelectMany(x => new ulong[] { x.Numerator, x.Denominator }).ToArray(), 4),
        SignedRational r => Numbers(tag, TiffType.SRATIONAL, [(uint)r.Numerator, (uint)r.Denominator], 4),
        SignedRational[] r => Numbers(tag, TiffType.SRATIONAL, r.SelectMany(x => new ulong[] { (uint)x.Numerator, (uint)x.Denominator }).ToArray(), 4),
        _ => null,
    };

    private static Entry Ascii(ushort tag, string s)
    {
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(s + "\0");
        return new Entry(tag, TiffType.ASCII, bytes, bytes.Length);
    }

    private static Entry Numbers(ushort tag, TiffType type, ulong[] words, int width) =>
        new(tag, type, [], type is TiffType.RATIONAL or TiffType.SRATIONAL ? words.Length / 2 : words.Length, words, width);

    private static ushort ReadUInt16(byte[] b, int at, bool big) =>
        big ? BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));

    private static uint ReadUInt32(byte[] b, int at, bool big) =>
        big ? BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    private static void WriteUInt16(byte[] b, int at, ushort v, bool big)
    {
        if (big)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
        }
    }

    private static void WriteUInt32(byte[] b, int at, uint v, bool big)
    {
        if (big)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
        }
    }

    /// <summary>One IFD entry: raw bytes (byte, ASCII, undefined) or numbers of <c>Width</c> bytes each.</summary>
    internal sealed record Entry(ushort Tag, TiffType Type, byte[] Data, int Count, ulong[]? Words = null, int Width = 1)
    {
        public byte[] Serialize(bool big)
        {
            if (Words is null)
            {
                return Data;
            }

            byte[] bytes = new byte[Words.Length * Width];
            for (int i = 0; i < Words.Length; i++)
            {
                if (Width == 2)
                {
                    WriteUInt16(bytes, i * 2, (ushort)Words[i], big);
                }
                else
                {
                    WriteUInt32(bytes, i * 4, (uint)Words[i], big);
                }
            }

            return bytes;
        }
    }
}
