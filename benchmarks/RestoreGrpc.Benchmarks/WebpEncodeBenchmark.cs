using System.Diagnostics;
using System.Globalization;
using RestoreGrpc.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// WebP encode time and quality (issue 11): the server's encoders (lossy through libvips' libwebp at a chosen effort,
/// lossless through Skia's) against Skia's lossy libwebp (the previous one, method 3), ImageSharp 2's managed WebP at
/// its fastest method, and the server's JPEG and PNG, on a photo made 2× and 4× larger (restored-size outputs). Each
/// round runs every encoder once, so machine load falls on all alike; PSNR is of the decoded output against the
/// encoded pixels. <c>--webp-encode [--image FILE] [--runs N]</c>.
/// </summary>
internal static class WebpEncodeBenchmark
{
    public static void Run(string imagePath, int runs)
    {
        using Image<Rgb24> original = Image.Load<Rgb24>(imagePath);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(imagePath)}, {Environment.ProcessorCount} cores, median of {runs} interleaved rounds after a warm-up, libvips available: {VipsWebpEncoder.IsAvailable}"));
        foreach (int factor in new[] { 2, 4 })
        {
            using Image<Rgba32> image = original.CloneAs<Rgba32>();
            image.Mutate(x => x.Resize(original.Width * factor, original.Height * factor, KnownResamplers.Lanczos3));
            Measure(image, runs);
        }
    }

    private static void Measure(Image<Rgba32> image, int runs)
    {
        int width = image.Width, height = image.Height;
        var source = new ImageDescription(width, height, ImageFormatKind.Png, ColorKind.Rgb, 8, false, false, false, 0, 0);
        byte[] rgb = new byte[width * height * 3];
        byte[] rgba = new byte[width * height * 4];
        WebpWriter.CopyPixels(image, 3, rgb);
        WebpWriter.CopyPixels(image, 4, rgba);
        byte[] Server(EncodeSettings settings) => ImageEncoder.Encode(image, source, null, null, settings).Bytes.ToArray();
        (string Name, Func<byte[]> Encode)[] encoders =
        [
            ("server JPEG q95", () => Server(new EncodeSettings(ImageFormatKind.Jpeg, 95))),
            ("server JPEG q90", () => Server(new EncodeSettings(ImageFormatKind.Jpeg, 90))),
            ("server PNG level 2", () => Server(new EncodeSettings(ImageFormatKind.Png))),
            ("before: Skia libwebp lossy q95 (method 3)", () => WebpWriter.EncodeWithSkia(rgba, width, height, false, false, 95)),
            ("before: Skia libwebp lossy q90 (method 3)", () => WebpWriter.EncodeWithSkia(rgba, width, height, false, false, 90)),
            ("ImageSharp WebP lossy q90, fastest method", () => Save(image, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 90, Method = WebpEncodingMethod.Fastest })),
            ("libvips libwebp lossy q90 effort 0", () => VipsWebpEncoder.EncodeLossy(rgb, width, height, 3, 90, 0)),
            ("libvips libwebp lossy q90 effort 1", () => VipsWebpEncoder.EncodeLossy(rgb, width, height, 3, 90, 1)),
            ("libvips libwebp lossy q90 effort 2", () => VipsWebpEncoder.EncodeLossy(rgb, width, height, 3, 90, 2)),
            ($"now: server WebP lossy q95 (libvips, effort {VipsWebpEncoder.Effort})", () => Server(new EncodeSettings(ImageFormatKind.Webp, 95))),
            ($"now: server WebP lossy q90 (libvips, effort {VipsWebpEncoder.Effort})", () => Server(new EncodeSettings(ImageFormatKind.Webp, 90))),
            ($"now: server WebP lossless (Skia, effort {WebpWriter.LosslessEffort})", () => Server(new EncodeSettings(ImageFormatKind.Webp, Lossless: true))),
            ("Skia libwebp lossless effort 0", () => WebpWriter.EncodeWithSkia(rgba, width, height, false, true, 0)),
        ];

        var outputs = encoders.Select(e => e.Encode()).ToArray();
        var times = encoders.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < runs; round++)
        {
            for (int i = 0; i < encoders.Length; i++)
            {
                var watch = Stopwatch.StartNew();
                encoders[i].Encode();
                times[i].Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{width}×{height}"));
        Console.WriteLine();
        Console.WriteLine("| encoder | ms | × JPEG q95 | bytes | PSNR dB |");
        Console.WriteLine("|---|---|---|---|---|");
        double jpeg = Percentiles.Median(times[0]);
        for (int i = 0; i < encoders.Length; i++)
        {
            double ms = Percentiles.Median(times[i]);
            double psnr = Psnr(rgb, outputs[i]);
            string quality = double.IsPositiveInfinity(psnr) ? "lossless" : psnr.ToString("F2", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {encoders[i].Name} | {ms:F0} | {ms / jpeg:F1} | {outputs[i].Length:N0} | {quality} |"));
        }
    }

    private static double Psnr(byte[] rgb, byte[] encoded)
    {
        using Image<Rgb24> decoded = Image.Load<Rgb24>(encoded);
        byte[] back = new byte[rgb.Length];
        decoded.CopyPixelDataTo(back);
        double squares = 0;
        for (int i = 0; i < rgb.Length; i++)
        {
            double d = rgb[i] - back[i];
            squares += d * d;
        }

        return squares == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 * rgb.Length / squares);
    }

    private static byte[] Save(Image image, WebpEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }
}
