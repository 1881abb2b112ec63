using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.Metadata.Profiles.Icc;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Imaging;

/// <summary>
/// Writes TIFF through LibTiff.NET (ImageSharp 2 cannot write 16-bit TIFF): gray, gray+alpha, RGB or RGBA at 8 or
/// 16 bits per sample, Deflate-compressed with the horizontal predictor, ICC profile embedded. From the EXIF profile,
/// Make, Model, Software, DateTime, Artist, Copyright and ImageDescription go into IFD0 and the tags of LibTiff's EXIF
/// field list into an EXIF IFD (<see cref="TiffExifDirectory"/>, which says what is skipped); the orientation is 1.
/// </summary>
internal static class TiffWriter
{
    public static byte[] Write(Image image, ColorKind color, int bitDepth, IccProfile? iccProfile, ExifProfile? exifProfile)
    {
        bool deep = bitDepth > 8;
        return (color, deep) switch
        {
            (ColorKind.Gray, false) => WritePixels<L8>(image, 1, 8, iccProfile, exifProfile),
            (ColorKind.Gray, true) => WritePixels<L16>(image, 1, 16, iccProfile, exifProfile),
            (ColorKind.GrayAlpha, false) => WritePixels<La16>(image, 2, 8, iccProfile, exifProfile),
            (ColorKind.GrayAlpha, true) => WritePixels<La32>(image, 2, 16, iccProfile, exifProfile),
            (ColorKind.Rgba, false) => WritePixels<Rgba32>(image, 4, 8, iccProfile, exifProfile),
            (ColorKind.Rgba, true) => WritePixels<Rgba64>(image, 4, 16, iccProfile, exifProfile),
            (_, false) => WritePixels<Rgb24>(image, 3, 8, iccProfile, exifProfile),
            (_, true) => WritePixels<Rgb48>(image, 3, 16, iccProfile, exifProfile),
        };
    }

    private static byte[] WritePixels<TPixel>(Image image, int samples, int bitsPerSample, IccProfile? iccProfile, ExifProfile? exifProfile)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using Image<TPixel> converted = image.CloneAs<TPixel>();
        IReadOnlyList<TiffExifDirectory.Entry> exifEntries = exifProfile is null ? [] : TiffExifDirectory.Entries(exifProfile);
        using var stream = new MemoryStream();
        using (Tiff tiff = Tiff.ClientOpen("output.tif", "w", stream, new TiffStream())
            ?? throw new InvalidOperationException("LibTiff could not open an output stream"))
        {
            tiff.SetField(TiffTag.IMAGEWIDTH, converted.Width);
            tiff.SetField(TiffTag.IMAGELENGTH, converted.Height);
            tiff.SetField(TiffTag.SAMPLESPERPIXEL, samples);
            tiff.SetField(TiffTag.BITSPERSAMPLE, bitsPerSample);
            tiff.SetField(TiffTag.ORIENTATION, Orientation.TOPLEFT);
            tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            tiff.SetField(TiffTag.PHOTOMETRIC, samples >= 3 ? Photometric.RGB : Photometric.MINISBLACK);
            tiff.SetField(TiffTag.COMPRESSION, Compression.ADOBE_DEFLATE);
            tiff.SetField(TiffTag.PREDICTOR, Predictor.HORIZONTAL);
            tiff.SetField(TiffTag.ROWSPERSTRIP, tiff.DefaultStripSize(0));
            if (samples is 2 or 4)
            {
                tiff.SetField(TiffTag.EXTRASAMPLES, 1, new short[] { (short)ExtraSample.UNASSALPHA });
            }

            if (iccProfile is not null)
            {
                byte[] icc = iccProfile.ToByteArray();
                tiff.SetField(TiffTag.ICCPROFILE, icc.Length, icc);
            }

            if (exifProfile is not null)
            {
                WriteIfd0Tags(tiff, exifProfile);
            }

            if (exifEntries.Count > 0)
            {
                tiff.SetField(TiffTag.EXIFIFD, TiffExifDirectory.Placeholder);
            }

            byte[] row = new byte[converted.Width * samples * bitsPerSample / 8];
            for (int y = 0; y < converted.Height; y++)
            {
                MemoryMarshal.AsBytes(converted.DangerousGetPixelRowMemory(y).Span).CopyTo(row);
                if (!tiff.WriteScanline(row, y))
                {
                    throw new InvalidOperationException($"LibTiff failed to write row {y}");
                }
            }

            tiff.WriteDirectory();
        }

        byte[] bytes = stream.ToArray();
        return exifEntries.Count > 0 ? TiffExifDirectory.Append(bytes, exifEntries) : bytes;
    }

    private static void WriteIfd0Tags(Tiff tiff, ExifProfile exifProfile)
    {
        (ExifTag<string> Exif, TiffTag Tiff)[] tags =
        [
            (ExifTag.Make, TiffTag.MAKE),
            (ExifTag.Model, TiffTag.MODEL),
            (ExifTag.Software, TiffTag.SOFTWARE),
            (ExifTag.DateTime, TiffTag.DATETIME),
            (ExifTag.Artist, TiffTag.ARTIST),
            (ExifTag.Copyright, TiffTag.COPYRIGHT),
            (ExifTag.ImageDescription, TiffTag.IMAGEDESCRIPTION),
        ];
        foreach ((ExifTag<string> exif, TiffTag tag) in tags)
        {
            if (exifProfile.GetValue(exif)?.Value is { Length: > 0 } value)
            {
                tiff.SetField(tag, value);
            }
        }
    }
}
