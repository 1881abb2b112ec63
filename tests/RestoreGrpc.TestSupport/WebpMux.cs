using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.TestSupport;

/// <summary>
/// libwebp's own tools (Debian's webp: webpinfo, webpmux, dwebp, cwebp) as the independent reading of WebP files.
/// Installed by scripts/prerequisites.sh; skipped when absent, a failure under CI=true.
/// </summary>
public static class WebpMux
{
    private const string HowToGet = "install webp, or run scripts/prerequisites.sh";

    /// <summary>"lossy" or "lossless", as webpinfo reports the image's format.</summary>
    public static string Compression(byte[] webp)
    {
        string info = OnFile(webp, "webpinfo", path => $"\"{path}\"");
        return info.Contains("Format: Lossless", StringComparison.Ordinal) ? "lossless"
            : info.Contains("Format: Lossy", StringComparison.Ordinal) ? "lossy"
            : throw new InvalidOperationException($"webpinfo gave no format:\n{info}");
    }

    /// <summary>The ICC profile webpmux extracts, or null when it finds none.</summary>
    public static byte[]? Icc(byte[] webp)
    {
        using var folder = new TempDirectory();
        string input = folder.CreateFile("in.webp", webp);
        string output = folder.Combine("icc.bin");
        try
        {
            ToolProcess.Run(Tool("webpmux"), $"-get icc \"{input}\" -o \"{output}\"", []);
        }
        catch (InvalidOperationException)
        {
            return null;
        }

        return File.ReadAllBytes(output);
    }

    /// <summary>The pixels dwebp decodes.</summary>
    public static Image<Rgb24> Decode(byte[] webp)
    {
        using var folder = new TempDirectory();
        string input = folder.CreateFile("in.webp", webp);
        string output = folder.Combine("out.png");
        ToolProcess.Run(Tool("dwebp"), $"-quiet \"{input}\" -o \"{output}\"", []);
        return Image.Load<Rgb24>(output);
    }

    /// <summary>A lossless WebP made by cwebp from RGB pixels (no alpha).</summary>
    public static byte[] EncodeLossless(Image<Rgb24> image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var folder = new TempDirectory();
        string input = folder.Combine("in.png");
        image.SaveAsPng(input);
        string output = folder.Combine("out.webp");
        ToolProcess.Run(Tool("cwebp"), $"-quiet -lossless \"{input}\" -o \"{output}\"", []);
        return File.ReadAllBytes(output);
    }

    private static string OnFile(byte[] webp, string tool, Func<string, string> arguments)
    {
        using var folder = new TempDirectory();
        string input = folder.CreateFile("in.webp", webp);
        return System.Text.Encoding.UTF8.GetString(ToolProcess.Run(Tool(tool), arguments(input), []));
    }

    private static string Tool(string name) => RequiredTool.Find(name, HowToGet, "/usr/bin/" + name);
}
