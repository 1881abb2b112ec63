using Microsoft.AspNetCore.Builder;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.IntegrationTests.Models;

/// <summary>
/// A loopback server over a temp model folder holding copies of the small shared models: <c>anime</c>
/// (realesr-animevideov3, ×4, the default) and <c>x2</c> (v2 animevideo, ×2), so tests can change model files
/// under the running server.
/// </summary>
internal static class ModelServer
{
    public const string Anime = "realesr-animevideov3-x4.onnx";
    public const string AnimeX2 = "realesrganv2-animevideo-x2.onnx";

    public static Task<LoopbackServer> StartAsync(TempModelFolder folder, Action<WebApplicationBuilder>? configure = null, params string[] settings)
    {
        folder.Copy(Anime, "anime.onnx");
        folder.Copy(AnimeX2, "x2.onnx");
        return LoopbackServer.StartAsync(
            configure,
            [
                $"--Restore:Models:Directory={folder.Path}",
                "--Restore:Models:DefaultModel=anime",
                .. Entry(20, "anime", "anime.onnx", 4),
                .. Entry(21, "x2", "x2.onnx", 2),
                .. settings,
            ]);
    }

    public static string[] Entry(int index, string name, string file, int scale) =>
    [
        $"--Restore:Models:Entries:{index}:Name={name}",
        $"--Restore:Models:Entries:{index}:File={file}",
        $"--Restore:Models:Entries:{index}:Scale={scale}",
        $"--Restore:Models:Entries:{index}:TileMargin=18",
    ];

    /// <summary>A small real photo crop (RGB PNG), so restores take milliseconds.</summary>
    public static byte[] SmallImage(int edge = 24)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(SharedAssets.Image("baboon.jpg"));
        image.Mutate(x => x.Crop(new Rectangle(100, 100, edge, edge)));
        return SyntheticImages.Png(image, PngColorType.Rgb, PngBitDepth.Bit8);
    }
}
