using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Client;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// JPEG decode fidelity (issue 19): for real photos and cjpeg/PIL-made files of each subsampling and mode, the
/// server's decoder and ImageSharp's (the previous one) against libjpeg-turbo's djpeg (max level difference, share of
/// samples within ±1, decode time); then the server's restored output of a 256×192 cut against the same network run
/// whole-image in ONNX Runtime on djpeg's pixels (the reference), beside that network fed by ImageSharp's pixels.
/// <c>--jpeg-fidelity [--models DIR] [--images DIR] [--runs N]</c>; needs djpeg, cjpeg, jpegtran and python3-pil.
/// </summary>
internal static class JpegFidelity
{
    private const string Model = "realesr-general-x4v3";

    private sealed record Case(string Name, string Kind, byte[] Full, byte[] Cut);

    public static async Task RunAsync(string modelsDirectory, string imagesDirectory, int runs)
    {
        List<Case> cases = MakeCases(imagesDirectory);
        var table = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        table.AppendLine("| image | kind | size | decoder max Δ / within ±1: ImageSharp → libjpeg-turbo (server) | decode ms: ImageSharp → server | restored within ±1 of reference: ImageSharp-fed → server | restored max Δ / PSNR dB: ImageSharp-fed → server |");
        table.AppendLine("|---|---|---|---|---|---|---|");

        using var session = new InferenceSession(Path.Combine(modelsDirectory, Model + ".onnx"));
        WebApplication app = RestoreServer.Build(
        [
            "--urls", "http://127.0.0.1:0",
            $"--Restore:Models:Directory={modelsDirectory}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        try
        {
            using var client = new RestoreClient(new RestoreClientOptions { Address = app.ListeningAddress() });
            foreach (Case item in cases)
            {
                using Image<Rgb24> reference = LibJpeg.Decode(item.Full);
                using Image<Rgb24> old = Image.Load<Rgb24>(item.Full);
                using Image<Rgb24> ours = DecodeOurs(item.Full);
                Stats oldStats = Stats.Between(reference, old);
                Stats ourStats = Stats.Between(reference, ours);
                double oldMs = Median(runs, () => Image.Load<Rgb24>(item.Full).Dispose());
                double ourMs = Median(runs, () => ImageDecoder.Decode(item.Full, new ImageLimits()).Dispose());

                using Image<Rgb24> cutReference = LibJpeg.Decode(item.Cut);
                using Image<Rgb24> cutOld = Image.Load<Rgb24>(item.Cut);
                using Image<Rgb24> expected = RunWhole(session, cutReference);
                using Image<Rgb24> oldRestored = RunWhole(session, cutOld);
                RestoreResult served = await client.RestoreAsync(item.Cut, new RestoreOptions { Model = Model, Format = OutputFormat.Png });
                using Image<Rgb24> restored = Image.Load<Rgb24>(served.Image.Span);
                Stats oldOut = Stats.Between(expected, oldRestored);
                Stats ourOut = Stats.Between(expected, restored);

                table.AppendLine(c, $"| {item.Name} | {item.Kind} | {reference.Width}×{reference.Height} | {oldStats.Max} / {oldStats.Within1:P2} → {ourStats.Max} / {ourStats.Within1:P2} | {oldMs:F1} → {ourMs:F1} | {oldOut.Within1:P2} → {ourOut.Within1:P3} | {oldOut.Max} / {oldOut.Psnr:F1} → {ourOut.Max} / {ourOut.Psnr:F1} |");
                Console.Error.WriteLine($"{item.Name} {item.Kind} done");
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        Console.WriteLine($"{Environment.ProcessorCount} cores; decode ms = median of {runs}; restore: {Model} on a 256×192 cut, server (tiled, PNG out) vs ONNX Runtime whole-image on djpeg's pixels.");
        Console.WriteLine(table.ToString());
    }

    private static Image<Rgb24> DecodeOurs(byte[] jpeg)
    {
        using DecodedImage decoded = ImageDecoder.Decode(jpeg, new ImageLimits());
        return decoded.Pixels.CloneAs<Rgb24>();
    }

    private static List<Case> MakeCases(string imagesDirectory)
    {
        var cases = new List<Case>();
        foreach (string file in new[] { "baboon.jpg", "building.jpg", "messi5.jpg", "rocket.jpg", "scenetext01.jpg", "hubble_deep_field.jpg" })
        {
            byte[] full = File.ReadAllBytes(Path.Combine(imagesDirectory, file));
            cases.Add(new Case(file, "photo, " + Subsampling(full), full, Jpegtran(full, "-crop 256x192+64+64")));
        }

        using Image<Rgb24> photo = Image.Load<Rgb24>(Path.Combine(imagesDirectory, "astronaut.png"));
        using Image<Rgb24> cut = photo.Clone(x => x.Crop(new Rectangle(128, 64, 256, 192)));
        foreach ((string kind, string args) in new[]
        {
            ("cjpeg q90 4:2:0", "-quality 90 -sample 2x2"),
            ("cjpeg q90 4:2:2", "-quality 90 -sample 2x1"),
            ("cjpeg q90 4:4:4", "-quality 90 -sample 1x1"),
            ("cjpeg q75 4:2:0 progressive", "-quality 75 -sample 2x2 -progressive"),
        })
        {
            cases.Add(new Case("astronaut.png", kind, LibJpeg.Encode(photo, args), LibJpeg.Encode(cut, args)));
        }

        cases.Add(new Case("astronaut.png", "PIL q90 CMYK (Adobe)", LibJpeg.EncodeCmyk(photo, 90), LibJpeg.EncodeCmyk(cut, 90)));
        return cases;
    }

    /// <summary>"4:2:0" etc. from the first SOF's sampling factors.</summary>
    private static string Subsampling(byte[] jpeg)
    {
        for (int i = 2; i + 12 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                int components = jpeg[i + 9];
                int h = jpeg[i + 11] >> 4;
                int v = jpeg[i + 11] & 15;
                return components == 1 ? "gray" : (h, v) switch { (2, 2) => "4:2:0", (2, 1) => "4:2:2", (1, 2) => "4:4:0", (1, 1) => "4:4:4", _ => $"{h}x{v}" };
            }
        }

        return "?";
    }

    private static byte[] Jpegtran(byte[] jpeg, string arguments) => ToolProcess.Run("jpegtran", arguments, jpeg);

    /// <summary>The reference network: the whole image in one ONNX Runtime run, clamped and rounded.</summary>
    private static Image<Rgb24> RunWhole(InferenceSession session, Image<Rgb24> input)
    {
        int w = input.Width;
        int h = input.Height;
        float[] tensor = new float[3 * w * h];
        input.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < h; y++)
            {
                Span<Rgb24> row = rows.GetRowSpan(y);
                for (int x = 0; x < w; x++)
                {
                    tensor[(y * w) + x] = row[x].R / 255f;
                    tensor[(w * h) + (y * w) + x] = row[x].G / 255f;
                    tensor[(2 * w * h) + (y * w) + x] = row[x].B / 255f;
                }
            }
        });
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(tensor, [1, 3, h, w]);
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(new RunOptions(), [session.InputNames[0]], [value], [session.OutputNames[0]]);
        ReadOnlySpan<float> o = outputs[0].GetTensorDataAsSpan<float>();
        int ow = w * 4;
        int oh = h * 4;
        var result = new Image<Rgb24>(ow, oh);
        static byte Level(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);
        for (int y = 0; y < oh; y++)
        {
            Span<Rgb24> row = result.DangerousGetPixelRowMemory(y).Span;
            for (int x = 0; x < ow; x++)
            {
                int i = (y * ow) + x;
                row[x] = new Rgb24(Level(o[i]), Level(o[(ow * oh) + i]), Level(o[(2 * ow * oh) + i]));
            }
        }

        return result;
    }

    private static double Median(int runs, Action action)
    {
        action();
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return Percentiles.Median(times);
    }

    private readonly record struct Stats(int Max, double Within1, double Psnr)
    {
        public static Stats Between(Image<Rgb24> a, Image<Rgb24> b)
        {
            int max = 0;
            long within = 0;
            double squares = 0;
            for (int y = 0; y < a.Height; y++)
            {
                Span<Rgb24> ra = a.DangerousGetPixelRowMemory(y).Span;
                Span<Rgb24> rb = b.DangerousGetPixelRowMemory(y).Span;
                for (int x = 0; x < a.Width; x++)
                {
                    foreach (int d in new[] { ra[x].R - rb[x].R, ra[x].G - rb[x].G, ra[x].B - rb[x].B })
                    {
                        int abs = Math.Abs(d);
                        max = Math.Max(max, abs);
                        within += abs <= 1 ? 1 : 0;
                        squares += d * d;
                    }
                }
            }

            long samples = 3L * a.Width * a.Height;
            double mse = squares / samples;
            return new Stats(max, (double)within / samples, mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse));
        }
    }
}
