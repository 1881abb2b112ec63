using RestoreGrpc.Cli.Presets;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Tests.Presets;

public sealed class PresetFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Save_then_load_round_trips_every_field()
    {
        var options = new RestoreOptions
        {
            Model = "realesrgan-x4plus",
            Scale = 3.5,
            TileSize = 256,
            TileMargin = 16,
            Format = OutputFormat.Webp,
            Quality = 90,
            StripMetadata = true,
            Timeout = TimeSpan.FromSeconds(45),
        };
        string path = _temp.Combine("sub/preset.json");

        await PresetFile.SaveAsync(path, options, TestContext.Current.CancellationToken);
        RestoreOptions loaded = await PresetFile.LoadAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(options, loaded);
    }

    [Fact]
    public void Serialized_form_is_indented_camel_case_without_nulls()
    {
        string json = PresetFile.Serialize(new RestoreOptions { Scale = 2, Format = OutputFormat.Jpeg });

        Assert.Contains("\n  \"scale\": 2,", json.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("\"format\": \"Jpeg\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("model", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Hand_written_presets_are_read_leniently()
    {
        RestoreOptions options = PresetFile.Deserialize("""
            {
              // comments and trailing commas are fine
              "Model": "x",
              "format": "png",
              "tileSize": "128",
            }
            """);

        Assert.Equal(new RestoreOptions { Model = "x", Format = OutputFormat.Png, TileSize = 128 }, options);
    }

    [Theory]
    [InlineData("""{ "tile_size": 128 }""", "tile_size")]
    [InlineData("""{ "scale": 0 }""", "scale must be greater than 0")]
    [InlineData("""{ "quality": 101 }""", "quality must be 1..100")]
    [InlineData("""{ "tileMargin": -1 }""", "tileMargin must not be negative")]
    [InlineData("""{ "format": "jpegxl" }""", "not a valid preset")]
    [InlineData("null", "holds null")]
    [InlineData("{", "not a valid preset")]
    public void Invalid_presets_are_usage_errors(string json, string expected)
    {
        var ex = Assert.Throws<UsageException>(() => PresetFile.Deserialize(json, "p.json"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("p.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_is_a_usage_error()
    {
        var ex = await Assert.ThrowsAsync<UsageException>(
            () => PresetFile.LoadAsync(_temp.Combine("none.json"), TestContext.Current.CancellationToken));

        Assert.Contains("not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_line_values_override_the_preset_and_the_rest_is_kept()
    {
        string path = _temp.Combine("p.json");
        await PresetFile.SaveAsync(
            path,
            new RestoreOptions { Model = "m", Scale = 4, Quality = 80, StripMetadata = true },
            TestContext.Current.CancellationToken);

        RestoreOptions merged = await PresetFile.LoadAndMergeAsync(
            path,
            new RestoreOptionOverrides { Scale = 2, Format = OutputFormat.Png },
            TestContext.Current.CancellationToken);

        Assert.Equal(new RestoreOptions { Model = "m", Scale = 2, Quality = 80, StripMetadata = true, Format = OutputFormat.Png }, merged);
    }

    [Fact]
    public async Task Without_a_preset_only_the_command_line_counts()
    {
        RestoreOptions merged = await PresetFile.LoadAndMergeAsync(
            null,
            new RestoreOptionOverrides { Model = "m" },
            TestContext.Current.CancellationToken);

        Assert.Equal(new RestoreOptions { Model = "m" }, merged);
    }
}
