using System.Buffers.Binary;
using BitMiracle.LibTiff.Classic;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Refuses images whose data ends early. ImageSharp 2 decodes a PNG cut short (missing rows left transparent black)
/// and reads TIFF strips past the end as zeros; libjpeg-turbo reports its own truncations (see
/// <see cref="JpegPixelDecoder"/>). PNG: the chunks must reach IEND. TIFF: every strip or tile that the first IFD
/// names (read by LibTiff) must lie inside the file.
/// </summary>
internal static class TruncationCheck
{
    private static readonly byte[] Iend = "IEND"u8.ToArray();

    static TruncationCheck()
    {
        // LibTiff writes warnings and errors of damaged files to the console by default; the caller reports them.
        Tiff.SetErrorHandler(new SilentTiffErrors());
    }

    public static void Check(ReadOnlyMemory<byte> encoded, ImageFormatKind format)
    {
        switch (format)
        {
            case ImageFormatKind.Png:
                CheckPng(encoded.Span);
                break;
            case ImageFormatKind.Tiff:
                CheckTiff(encoded);
                break;
        }
    }

    private static void CheckPng(ReadOnlySpan<byte> png)
    {
        long position = 8;
        while (position + 12 <= png.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[(int)position..]);
            ReadOnlySpan<byte> type = png.Slice((int)position + 4, 4);
            long end = position + 12 + length;
            if (end > png.Length)
            {
                break;
            }

            if (type.SequenceEqual(Iend))
            {
                return;
            }

            position = end;
        }

        throw new InvalidImageException($"is truncated: its PNG data ends at byte {png.Length} before the IEND chunk");
    }

    private static void CheckTiff(ReadOnlyMemory<byte> encoded)
    {
        using var stream = new ReadOnlyMemoryStream(encoded);
        using Tiff? tiff = Tiff.ClientOpen("input", "r", stream, new TiffStream());
        if (tiff is null)
        {
            throw new InvalidImageException("is corrupt: its TIFF directory cannot be read");
        }

        bool tiled = tiff.IsTiled();
        long[]? offsets = Values(tiff.GetField(tiled ? TiffTag.TILEOFFSETS : TiffTag.STRIPOFFSETS));
        long[]? counts = Values(tiff.GetField(tiled ? TiffTag.TILEBYTECOUNTS : TiffTag.STRIPBYTECOUNTS));
        if (offsets is null || counts is null || offsets.Length == 0 || offsets.Length != counts.Length)
        {
            throw new InvalidImageException($"is corrupt: its TIFF {(tiled ? "tile" : "strip")} offsets and byte counts are missing or do not match");
        }

        for (int i = 0; i < offsets.Length; i++)
        {
            if (offsets[i] < 0 || counts[i] < 0 || offsets[i] + counts[i] > encoded.Length)
            {
                throw new InvalidImageException(
                    $"is truncated: TIFF {(tiled ? "tile" : "strip")} {i} ends at byte {offsets[i] + counts[i]} of a {encoded.Length}-byte file");
            }
        }
    }

    private static long[]? Values(FieldValue[]? field)
    {
        if (field is null || field.Length == 0)
        {
            return null;
        }

        // LibTiff returns (count, array) for array tags, the array alone otherwise.
        FieldValue values = field.Length > 1 ? field[1] : field[0];
        return values.Value switch
        {
            long[] longs => longs,
            ulong[] ulongs => ulongs.Select(v => v > long.MaxValue ? -1 : (long)v).ToArray(),
            int[] ints => ints.Select(v => (long)(uint)v).ToArray(),
            uint[] uints => uints.Select(v => (long)v).ToArray(),
            short[] shorts => shorts.Select(v => (long)(ushort)v).ToArray(),
            ushort[] ushorts => ushorts.Select(v => (long)v).ToArray(),
            _ => null,
        };
    }

    private sealed class SilentTiffErrors : TiffErrorHandler
    {
        public override void WarningHandler(Tiff tif, string method, string format, params object[] args)
        {
        }

        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }

        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args)
        {
        }

        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }
    }
}
