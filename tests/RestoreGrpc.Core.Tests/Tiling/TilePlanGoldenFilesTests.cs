using System.Globalization;
using System.Text;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Tests.Tiling;

/// <summary>
/// The conformance kit's tile-plan golden files (<c>clients/conformance/tileplan/*.json</c>) are what this
/// <see cref="TilePlan"/> produces: every SDK's port of the plan is checked against them. Regenerate after a
/// deliberate plan change with <c>RESTOREGRPC_UPDATE_GOLDEN=1 dotnet test tests/RestoreGrpc.Core.Tests -c Release
/// --filter FullyQualifiedName~TilePlanGoldenFiles</c>; without it, any difference fails.
/// </summary>
public sealed class TilePlanGoldenFilesTests
{
    /// <summary>Image width, height, tile size, margin, scale, pad to full shape: a spread of the plan's branches.</summary>
    private static readonly (int Width, int Height, int Tile, int Margin, int Scale, bool Pad)[] Cases =
    [
        (1, 1, 1, 0, 1, false),           // smallest image
        (5, 3, 512, 34, 4, false),        // smaller than one window: one tile, window = image
        (5, 3, 64, 34, 4, true),          // ... padded to the full window shape
        (50, 50, 32, 10, 4, true),        // shorter than the full window (52): one padded tile
        (160, 160, 128, 16, 4, false),    // exactly one full window (128 + 2·16)
        (161, 161, 128, 16, 4, false),    // one pixel more: two tiles per axis
        (300, 200, 64, 64, 4, false),     // margin larger than the tile
        (500, 9, 7, 3, 1, false),         // many tiles on one axis, one on the other
        (33, 1000, 16, 8, 2, false),
        (257, 513, 256, 0, 2, false),     // no margin
        (997, 1013, 100, 0, 3, false),    // odd sizes, scale 3
        (868, 600, 128, 34, 4, false),    // building.jpg with a small tile
        (1000, 700, 256, 16, 4, false),
        (1220, 764, 512, 34, 4, false),   // stanford.png with the server defaults
        (1920, 1080, 512, 32, 2, false),
        (4096, 300, 512, 10, 4, false),
        (2048, 2048, 256, 34, 4, false),  // 8 × 8 tiles
        (700, 300, 256, 34, 4, true),
    ];

    public static TheoryData<string> Names => new(Cases.Select(Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void The_committed_golden_file_is_what_the_plan_produces(string name)
    {
        var c = Cases.Single(x => Name(x) == name);
        string expected = Render(c.Width, c.Height, new TilePlanOptions(c.Tile, c.Margin, c.Scale, c.Pad));
        string path = Path.Combine(GoldenDirectory(), name + ".json");
        if (Environment.GetEnvironmentVariable("RESTOREGRPC_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), $"{path} is missing; regenerate with RESTOREGRPC_UPDATE_GOLDEN=1");
        Assert.Equal(expected, File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_golden_folder_holds_only_the_generated_cases()
    {
        string[] committed = Directory.GetFiles(GoldenDirectory(), "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(Cases.Select(Name).Order(StringComparer.Ordinal), committed);
    }

    private static string Name((int Width, int Height, int Tile, int Margin, int Scale, bool Pad) c) =>
        string.Create(CultureInfo.InvariantCulture, $"w{c.Width}_h{c.Height}_t{c.Tile}_m{c.Margin}_s{c.Scale}{(c.Pad ? "_pad" : string.Empty)}");

    /// <summary>The golden JSON: stable key order, one tile per line (the schema is in clients/conformance/README.md).</summary>
    private static string Render(int width, int height, TilePlanOptions options)
    {
        var plan = TilePlan.Create(width, height, options);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            {
              "input": {"width": {{width}}, "height": {{height}}, "tile_size": {{options.TileSize}}, "margin": {{options.Margin}}, "scale": {{options.Scale}}, "pad_to_full_shape": {{(options.PadToFullShape ? "true" : "false")}}},
              "plan": {"columns": {{plan.Columns}}, "rows": {{plan.Rows}}, "tile_count": {{plan.Count}}, "window_width": {{plan.WindowWidth}}, "window_height": {{plan.WindowHeight}}, "content_width": {{plan.ContentWidth}}, "content_height": {{plan.ContentHeight}}, "output_width": {{plan.OutputWidth}}, "output_height": {{plan.OutputHeight}}},
              "tiles": [

            """);
        for (int i = 0; i < plan.Count; i++)
        {
            Tile t = plan[i];
            text.Append(CultureInfo.InvariantCulture, $"    {{\"index\": {t.Index}, \"column\": {t.Column}, \"row\": {t.Row}, \"window\": {Rect(t.Window)}, \"core\": {Rect(t.Core)}, \"core_in_window\": {Rect(t.CoreInWindow)}, \"output_core\": {Rect(t.OutputCore(options.Scale))}}}");
            text.Append(i + 1 < plan.Count ? ",\n" : "\n");
        }

        text.Append("  ]\n}\n");
        return text.ToString();
    }

    private static string Rect(PixelRect r) => string.Create(CultureInfo.InvariantCulture, $"[{r.X}, {r.Y}, {r.Width}, {r.Height}]");

    private static string GoldenDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RestoreGrpc.sln")))
            {
                return Path.Combine(dir.FullName, "clients", "conformance", "tileplan");
            }
        }

        throw new InvalidOperationException("the checkout (RestoreGrpc.sln) was not found above " + AppContext.BaseDirectory);
    }
}
