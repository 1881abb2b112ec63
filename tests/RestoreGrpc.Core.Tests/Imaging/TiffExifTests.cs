using BitMiracle.LibTiff.Classic;
using RestoreGrpc.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Tests.Imaging;

public sealed class TiffExifTests
{
    [Fact]
    public void Tiff_output_keeps_exif_in_ifd0_and_an_exif_ifd_with_orientation_reset()
    {
        using DecodedImage source = ImageDecoder.Decode(RotatedJpegWithExif(), new ImageLimits());
        Assert.Equal((10, 30), (source.Description.Width, source.Description.Height));

        EncodedImage encoded = ImageEncoder.Encode(
            source.Pixels, source.Description, null, source.ExifProfile, new EncodeSettings(ImageFormatKind.Tiff));
        Assert.True(encoded.Description.HasExif);
        byte[] bytes = encoded.Bytes.ToArray();

        // ImageSharp's TIFF decoder reads IFD0 and follows the EXIF IFD pointer (into the frame's metadata).
        using Image decoded = Image.Load(bytes);
        ExifProfile? read = decoded.Frames.RootFrame.Metadata.ExifProfile;
        Assert.NotNull(read);
        Assert.Equal("RestoreCam", read.GetValue(ExifTag.Make)?.Value);
        Assert.Equal("Model X", read.GetValue(ExifTag.Model)?.Value);
        Assert.Equal("2024:05:06 07:08:09", read.GetValue(ExifTag.DateTimeOriginal)?.Value);
        Assert.Equal(new Rational(1, 250), read.GetValue(ExifTag.ExposureTime)?.Value);
        Assert.Equal(new ushort[] { 400 }, read.GetValue(ExifTag.ISOSpeedRatings)?.Value);
        Assert.Equal((ushort)1, read.GetValue(ExifTag.Orientation)?.Value);

        // LibTiff.NET reads the same file: IFD0 tags, orientation, and the EXIF IFD through ReadEXIFDirectory.
        using var stream = new MemoryStream(bytes);
        using Tiff tiff = Tiff.ClientOpen("in.tif", "r", stream, new TiffStream())!;
        Assert.Equal("RestoreCam", tiff.GetField(TiffTag.MAKE)[0].ToString());
        Assert.Equal("Model X", tiff.GetField(TiffTag.MODEL)[0].ToString());
        Assert.Equal(1, tiff.GetField(TiffTag.ORIENTATION)[0].ToInt());
        Assert.Equal(10, tiff.GetField(TiffTag.IMAGEWIDTH)[0].ToInt());
        long exifOffset = tiff.GetField(TiffTag.EXIFIFD)[0].ToLong();
        Assert.True(tiff.ReadEXIFDirectory(exifOffset));
        Assert.Equal("2024:05:06 07:08:09", tiff.GetField(TiffTag.EXIF_DATETIMEORIGINAL)[0].ToString());
    }

    /// <summary>A 30×10 JPEG whose EXIF says "rotate 90° clockwise" (orientation 6), so it decodes as 10×30.</summary>
    private static byte[] RotatedJpegWithExif()
    {
        using var image = new Image<Rgb24>(30, 10, new Rgb24(40, 120, 200));
        var exif = new ExifProfile();
        exif.SetValue(ExifTag.Make, "RestoreCam");
        exif.SetValue(ExifTag.Model, "Model X");
        exif.SetValue(ExifTag.DateTimeOriginal, "2024:05:06 07:08:09");
        exif.SetValue(ExifTag.ExposureTime, new Rational(1, 250));
        exif.SetValue(ExifTag.ISOSpeedRatings, new ushort[] { 400 });
        exif.SetValue(ExifTag.Orientation, (ushort)6);
        image.Metadata.ExifProfile = exif;
        using var output = new MemoryStream();
        image.SaveAsJpeg(output);
        return output.ToArray();
    }
}
