using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.TestSupport;

/// <summary>
/// Damaged images for robustness tests: real files from <c>shared/images</c> and small cuts of a real photo in every
/// accepted format and common layouts, each cut short and bit-flipped at seeded positions (deterministic).
/// </summary>
public static class MutationCorpus
{
    /// <summary>The undamaged sources, by name.</summary>
    /// <param name="small">Only the 96×64 cuts and the small real files (for tests that restore each case).</param>
    public static IEnumerable<(string Name, byte[] Bytes)> Sources(bool small = false)
    {
        foreach (string file in small
            ? new[] { "foo3x5x4indexed.png", "palette_color.png", "truncated.jpg" }
            : new[] { "foo3x5x4indexed.png", "palette_color.png", "chessboard_GRAY_U16.tif", "messi5.jpg", "coffee.png" })
        {
            yield return (file, File.ReadAllBytes(SharedAssets.Image(file)));
        }

        using Image<Rgba32> photo = Image.Load<Rgba32>(SharedAssets.Image("astronaut.png"));
        photo.Mutate(x => x.Crop(new Rectangle(200, 80, 96, 64)));
        IImageEncoder[] encoders =
        [
            new PngEncoder { ColorType = PngColorType.Rgb },
            new PngEncoder { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit16 },
            new PngEncoder { ColorType = PngColorType.Palette, InterlaceMethod = PngInterlaceMode.Adam7 },
            new JpegEncoder { Quality = 85 },
            new TiffEncoder { Compression = TiffCompression.None },
            new TiffEncoder { Compression = TiffCompression.Deflate, HorizontalPredictor = TiffPredictor.Horizontal },
            new TiffEncoder { Compression = TiffCompression.Lzw },
            new TiffEncoder { Compression = TiffCompression.PackBits, BitsPerPixel = TiffBitsPerPixel.Bit8 },
            new WebpEncoder { FileFormat = WebpFileFormatType.Lossy },
            new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
            new BmpEncoder(),
            new GifEncoder(),
        ];
        foreach (IImageEncoder encoder in encoders)
        {
            using var stream = new MemoryStream();
            photo.Save(stream, encoder);
            string detail = encoder switch
            {
                TiffEncoder tiff => $"tiff-{tiff.Compression}",
                PngEncoder png => $"png-{png.ColorType}",
                WebpEncoder webp => $"webp-{webp.FileFormat}",
                _ => encoder.GetType().Name.Replace("Encoder", string.Empty, StringComparison.Ordinal).ToLowerInvariant(),
            };
            yield return ($"cut.{detail}", stream.ToArray());
        }
    }

    /// <summary>Truncations at fixed fractions, single bit flips and short random overwrites, at seeded positions,
    /// then the <see cref="StructureMutations"/> (header fields, PNG chunk order).</summary>
    public static IEnumerable<(string Mutation, byte[] Bytes)> Mutations(byte[] original, int seed, int flips = 16)
    {
        ArgumentNullException.ThrowIfNull(original);
        foreach (double fraction in new[] { 0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99 })
        {
            int length = Math.Max(1, (int)(original.Length * fraction));
            yield return ($"cut to {length} of {original.Length} bytes", original[..length]);
        }

        var random = new Random(seed);
        for (int i = 0; i < flips; i++)
        {
            byte[] copy = (byte[])original.Clone();
            // Half the flips in the first 256 bytes, where headers, chunk lengths and IFDs live.
            int at = i % 2 == 0 ? random.Next(Math.Min(256, copy.Length)) : random.Next(copy.Length);
            int bit = random.Next(8);
            copy[at] ^= (byte)(1 << bit);
            yield return ($"bit {bit} of byte {at} flipped", copy);
        }

        for (int i = 0; i < flips / 4; i++)
        {
            byte[] copy = (byte[])original.Clone();
            int at = random.Next(copy.Length);
            int count = Math.Min(copy.Length - at, 4 + random.Next(13));
            random.NextBytes(copy.AsSpan(at, count));
            yield return ($"{count} bytes at {at} overwritten", copy);
        }

        foreach ((string mutation, byte[] bytes) in StructureMutations.Of(original))
        {
            yield return (mutation, bytes);
        }
    }
}
