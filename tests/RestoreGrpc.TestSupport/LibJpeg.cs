using System.Diagnostics;
using System.Globalization;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace RestoreGrpc.TestSupport;

/// <summary>
/// libjpeg-turbo's own command-line tools as the independent reference: <c>cjpeg</c> makes JPEGs of a chosen
/// subsampling or mode, <c>djpeg</c> decodes them the way libjpeg does by default (islow IDCT, fancy upsampling;
/// CMYK written as RGB). CMYK files are made by PIL (Debian's python3-pil, on libjpeg) since cjpeg has no CMYK input.
/// Installed by scripts/prerequisites.sh; skipped when absent, a failure under CI=true.
/// </summary>
public static class LibJpeg
{
    private const string HowToGet = "install libjpeg-turbo-progs, or run scripts/prerequisites.sh";

    /// <summary>Encodes with <c>cjpeg</c>, e.g. <c>-quality 90 -sample 2x2 -progressive</c>.</summary>
    public static byte[] Encode(Image<Rgb24> source, string cjpegArguments)
    {
        ArgumentNullException.ThrowIfNull(source);
        string cjpeg = RequiredTool.Find("cjpeg", HowToGet, "/usr/bin/cjpeg");
        return ToolProcess.Run(cjpeg, cjpegArguments, Ppm(source));
    }

    /// <summary>An Adobe (inverted) CMYK JPEG of <paramref name="source"/>, written by PIL.</summary>
    public static byte[] EncodeCmyk(Image<Rgb24> source, int quality)
    {
        ArgumentNullException.ThrowIfNull(source);
        string python = RequiredTool.Find("python3-with-PIL", "install python3-pil, or run scripts/prerequisites.sh", PythonWithPil());
        string script = "import sys,io\nfrom PIL import Image\nim=Image.open(io.BytesIO(sys.stdin.buffer.read())).convert('CMYK')\n"
            + $"out=io.BytesIO(); im.save(out,'JPEG',quality={quality.ToString(CultureInfo.InvariantCulture)}); sys.stdout.buffer.write(out.getvalue())";
        return ToolProcess.Run(python, "-c \"" + script.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"", Ppm(source));
    }

    /// <summary>The pixels <c>djpeg</c> decodes (gray replicated to RGB).</summary>
    public static Image<Rgb24> Decode(byte[] jpeg)
    {
        string djpeg = RequiredTool.Find("djpeg", HowToGet, "/usr/bin/djpeg");
        return ReadPnm(ToolProcess.Run(djpeg, "-pnm", jpeg));
    }

    /// <summary>Decodes the <c>djpeg</c> output of a file.</summary>
    public static Image<Rgb24> Decode(string path) => Decode(File.ReadAllBytes(path));

    private static string? PythonWithPil() =>
        File.Exists("/usr/bin/python3") && CanImportPil()
            ? "/usr/bin/python3"
            : null;

    private static bool CanImportPil()
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", "-c \"import PIL\"") { RedirectStandardError = true, UseShellExecute = false })!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    private static byte[] Ppm(Image<Rgb24> image)
    {
        byte[] header = Encoding.ASCII.GetBytes($"P6\n{image.Width} {image.Height}\n255\n");
        byte[] bytes = new byte[header.Length + (image.Width * image.Height * 3)];
        header.CopyTo(bytes, 0);
        image.CopyPixelDataTo(bytes.AsSpan(header.Length));
        return bytes;
    }

    private static Image<Rgb24> ReadPnm(byte[] pnm)
    {
        int position = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)pnm[position]))
            {
                position++;
            }

            int start = position;
            while (!char.IsWhiteSpace((char)pnm[position]))
            {
                position++;
            }

            return Encoding.ASCII.GetString(pnm, start, position - start);
        }

        string magic = Token();
        int width = int.Parse(Token(), CultureInfo.InvariantCulture);
        int height = int.Parse(Token(), CultureInfo.InvariantCulture);
        _ = Token();
        position++;
        ReadOnlySpan<byte> data = pnm.AsSpan(position);
        if (magic == "P6")
        {
            return Image.LoadPixelData<Rgb24>(data[..(width * height * 3)], width, height);
        }

        var gray = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            Span<Rgb24> row = gray.DangerousGetPixelRowMemory(y).Span;
            for (int x = 0; x < width; x++)
            {
                byte v = data[(y * width) + x];
                row[x] = new Rgb24(v, v, v);
            }
        }

        return gray;
    }
}
