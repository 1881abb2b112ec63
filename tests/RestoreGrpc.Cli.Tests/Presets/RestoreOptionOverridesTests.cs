using RestoreGrpc.Cli.Presets;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Tests.Presets;

public sealed class RestoreOptionOverridesTests
{
    private static readonly RestoreOptions Preset = new()
    {
        Model = "preset-model",
        Scale = 4,
        TileSize = 512,
        TileMargin = 32,
        Format = OutputFormat.Webp,
        Quality = 70,
        StripMetadata = true,
        Timeout = TimeSpan.FromMinutes(1),
    };

    [Fact]
    public void No_overrides_keep_the_preset() =>
        Assert.Equal(Preset, new RestoreOptionOverrides().ApplyTo(Preset));

    [Fact]
    public void Every_given_value_wins()
    {
        var overrides = new RestoreOptionOverrides
        {
            Model = "cli",
            Scale = 2,
            TileSize = 128,
            TileMargin = 8,
            Format = OutputFormat.Png,
            Quality = 99,
            StripMetadata = false,
            Timeout = TimeSpan.FromSeconds(5),
        };

        Assert.Equal(
            new RestoreOptions
            {
                Model = "cli",
                Scale = 2,
                TileSize = 128,
                TileMargin = 8,
                Format = OutputFormat.Png,
                Quality = 99,
                StripMetadata = false,
                Timeout = TimeSpan.FromSeconds(5),
            },
            overrides.ApplyTo(Preset));
    }

    [Fact]
    public void Null_baseline_is_the_empty_options() =>
        Assert.Equal(new RestoreOptions { Quality = 50 }, new RestoreOptionOverrides { Quality = 50 }.ApplyTo(null));
}
