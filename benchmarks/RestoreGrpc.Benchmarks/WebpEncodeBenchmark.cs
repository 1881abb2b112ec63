using System.Diagnostics;
using System.Globalization;
using RestoreGrpc.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// WebP encode time (issue 11): the server's encoder (libwebp) lossy and lossless against ImageSharp 2's managed
/// WebP encoder (the previous one) and the server's JPEG and PNG, on a photo made 2× larger (a restored-size output).
/// <c>--webp-encode [--image FILE] [--runs N]</c>.
/// </summary>
internal static class WebpEncodeBenchmark
{
    public static void Run(string imagePath, int runs)
    {
        using Image<Rgba32> image = Image.Load<Rgba32>(imagePath);
        image.Mutate(x => x.Resize(image.Width * 2, image.Height * 2, KnownResamplers.Lanczos3));
        var source = new ImageDescription(image.Width, image.Height, ImageFormatKind.Png, ColorKind.Rgb, 8, false, false, false, 0, 0);
        (string Name, Func<int> Encode)[] encoders =
        [
            ("server JPEG q95 (ImageSharp)", () => ImageEncoder.Encode(image, source, null, null, new EncodeSettings(ImageFormatKind.Jpeg, 95)).Bytes.Length),
            ("server PNG level 2", () => ImageEncoder.Encode(image, source, null, null, new EncodeSettings(ImageFormatKind.Png)).Bytes.Length),
            ("before: ImageSharp WebP lossy q95", () => Save(image, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 95 })),
            ("before: ImageSharp WebP lossless", () => Save(image, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless })),
            ("now: libwebp lossy q95", () => ImageEncoder.Encode(image, source, null, null, new EncodeSettings(ImageFormatKind.Webp, 95)).Bytes.Length),
            ("now: libwebp lossy q90", () => ImageEncoder.Encode(image, source, null, null, new EncodeSettings(ImageFormatKind.Webp, 90)).Bytes.Length),
            ($"now: libwebp lossless (effort {WebpWriter.LosslessEffort})", () => ImageEncoder.Encode(image, source, null, null, new EncodeSettings(ImageFormatKind.Webp, Lossless: true)).Bytes.Length),
        ];

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(imagePath)} ×2 = {image.Width}×{image.Height}, {Environment.ProcessorCount} cores, median of {runs} after a warm-up"));
        Console.WriteLine("| encoder | ms | bytes |");
        Console.WriteLine("|---|---|---|");
        foreach ((string name, Func<int> encode) in encoders)
        {
            int bytes = encode();
            var times = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var watch = Stopwatch.StartNew();
                encode();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Percentiles.Median(times):F0} | {bytes:N0} |"));
        }
    }

    private static int Save(Image image, WebpEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return (int)stream.Length;
    }
}
