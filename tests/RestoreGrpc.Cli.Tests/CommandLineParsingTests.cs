using System.CommandLine;
using RestoreGrpc.Cli.Bench;
using RestoreGrpc.Cli.Commands;
using RestoreGrpc.Cli.Output;
using RestoreGrpc.Cli.Presets;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Tests;

/// <summary>Parses command lines with the real command tree and checks the settings objects they produce.</summary>
public sealed class CommandLineParsingTests
{
    private static RootCommand Root(string? serverFromEnvironment = null) =>
        RestoreCli.BuildRootCommand(
            new CliContext(new CliConsole(new StringWriter(), new StringWriter(), interactive: false)),
            serverFromEnvironment);

    private static (ParseResult Result, T Command) Parse<T>(string commandLine, string? env = null)
        where T : Command
    {
        RootCommand root = Root(env);
        ParseResult result = root.Parse(commandLine);
        Assert.Empty(result.Errors);
        return (result, Assert.IsType<T>(result.CommandResult.Command));
    }

    [Fact]
    public void Upscale_defaults()
    {
        var (result, upscale) = Parse<UpscaleCommand>("upscale a.png");

        Assert.Equal(
            new UpscaleSettings(
                ["a.png"],
                "restored",
                RestoreCli.DefaultServer,
                new RestoreOptionOverrides(),
                PresetPath: null,
                Recursive: false,
                TimestampNames: false,
                Concurrency: 1),
            upscale.ReadSettings(result),
            SettingsComparer.Instance);
    }

    [Fact]
    public void Upscale_reads_every_option()
    {
        var (result, upscale) = Parse<UpscaleCommand>(
            "upscale a.png photos -o out --model m --scale 3.5 --tile 256 --tile-margin 0 --format jpeg --quality 85 " +
            "--strip-metadata --server https://gpu:8443 --recursive --timestamp-names --preset p.json --timeout 2.5 --concurrency 4");

        UpscaleSettings settings = upscale.ReadSettings(result);

        Assert.Equal(["a.png", "photos"], settings.Inputs);
        Assert.Equal("out", settings.OutputDirectory);
        Assert.Equal("https://gpu:8443", settings.Server);
        Assert.Equal("p.json", settings.PresetPath);
        Assert.True(settings.Recursive);
        Assert.True(settings.TimestampNames);
        Assert.Equal(4, settings.Concurrency);
        Assert.Equal(
            new RestoreOptionOverrides
            {
                Model = "m",
                Scale = 3.5,
                TileSize = 256,
                TileMargin = 0,
                Format = OutputFormat.Jpeg,
                Quality = 85,
                StripMetadata = true,
                Timeout = TimeSpan.FromSeconds(2.5),
            },
            settings.Overrides);
    }

    [Theory]
    [InlineData("sr", RestoreMode.SuperResolution)]
    [InlineData("faces", RestoreMode.Faces)]
    [InlineData("faces-and-background", RestoreMode.FacesAndBackground)]
    [InlineData("AUTO", RestoreMode.Auto)]
    public void Task_and_face_options_are_read(string task, RestoreMode expected)
    {
        var (result, upscale) = Parse<UpscaleCommand>($"upscale a.png --task {task} --face-blend 0.6 --color-fidelity");
        RestoreOptionOverrides overrides = upscale.ReadSettings(result).Overrides;
        Assert.Equal(expected, overrides.Mode);
        Assert.Equal(0.6, overrides.FaceBlend);
        Assert.True(overrides.ColorFidelity);
        Assert.NotEmpty(Root().Parse("upscale a.png --task everything").Errors);
        Assert.NotEmpty(Root().Parse("upscale a.png --face-blend 1.5").Errors);
    }

    [Theory]
    [InlineData("batch", RestorePriority.Batch)]
    [InlineData("Interactive", RestorePriority.Interactive)]
    public void Priority_is_read_and_reaches_the_request(string priority, RestorePriority expected)
    {
        var (result, bench) = Parse<BenchCommand>($"bench -i a.png --priority {priority}");
        RestoreOptions options = bench.ReadSettings(result).Overrides.ApplyTo(null);
        Assert.Equal(expected, options.Priority);
        Assert.Equal(
            expected == RestorePriority.Batch ? Contracts.V1.Priority.Batch : Contracts.V1.Priority.Interactive,
            RestoreClient.ToProto(options).Priority);
        Assert.Equal(Contracts.V1.Priority.Unspecified, RestoreClient.ToProto(new RestoreOptions()).Priority);
        Assert.NotEmpty(Root().Parse("bench -i a.png --priority urgent").Errors);
    }

    [Fact]
    public void Upscale_short_aliases()
    {
        var (result, upscale) = Parse<UpscaleCommand>("upscale a.png -o o -m m -x 2 -f webp -q 70 -p p.json -r -j 3");

        UpscaleSettings settings = upscale.ReadSettings(result);

        Assert.Equal(("o", "p.json", true, 3), (settings.OutputDirectory, settings.PresetPath, settings.Recursive, settings.Concurrency));
        Assert.Equal(new RestoreOptionOverrides { Model = "m", Scale = 2, Format = OutputFormat.Webp, Quality = 70 }, settings.Overrides);
    }

    [Theory]
    [InlineData("png", OutputFormat.Png)]
    [InlineData("JPG", OutputFormat.Jpeg)]
    [InlineData(".jpeg", OutputFormat.Jpeg)]
    [InlineData("tif", OutputFormat.Tiff)]
    [InlineData("tiff", OutputFormat.Tiff)]
    [InlineData("gif", OutputFormat.Gif)]
    [InlineData("bmp", OutputFormat.Bmp)]
    public void Format_accepts_names_and_extensions(string value, OutputFormat expected)
    {
        var (result, upscale) = Parse<UpscaleCommand>($"upscale a.png --format {value}");

        Assert.Equal(expected, upscale.ReadSettings(result).Overrides.Format);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("--strip-metadata", true)]
    [InlineData("--strip-metadata true", true)]
    [InlineData("--strip-metadata false", false)]
    public void Strip_metadata_is_only_an_override_when_given(string args, bool? expected)
    {
        var (result, upscale) = Parse<UpscaleCommand>($"upscale a.png {args}");

        Assert.Equal(expected, upscale.ReadSettings(result).Overrides.StripMetadata);
    }

    [Fact]
    public void Server_comes_from_the_environment_and_the_option_wins()
    {
        var (fromEnv, upscale) = Parse<UpscaleCommand>("upscale a.png", env: "http://env:7000");
        Assert.Equal("http://env:7000", upscale.ReadSettings(fromEnv).Server);

        var (explicitServer, upscale2) = Parse<UpscaleCommand>("upscale a.png --server http://cli:1", env: "http://env:7000");
        Assert.Equal("http://cli:1", upscale2.ReadSettings(explicitServer).Server);
    }

    [Fact]
    public void Server_may_precede_the_command()
    {
        var (result, upscale) = Parse<UpscaleCommand>("--server http://first:1 upscale a.png");

        Assert.Equal("http://first:1", upscale.ReadSettings(result).Server);
    }

    [Theory]
    [InlineData("upscale")]
    [InlineData("upscale a.png --scale 0")]
    [InlineData("upscale a.png --scale -2")]
    [InlineData("upscale a.png --tile 0")]
    [InlineData("upscale a.png --tile-margin -1")]
    [InlineData("upscale a.png --quality 0")]
    [InlineData("upscale a.png --quality 101")]
    [InlineData("upscale a.png --timeout 0")]
    [InlineData("upscale a.png --format jpegxl")]
    [InlineData("upscale a.png --concurrency 0")]
    [InlineData("upscale a.png --scale two")]
    [InlineData("upscale a.png --server localhost:5000")]
    [InlineData("models --unknown")]
    [InlineData("bench --image a.png --concurrency many")]
    [InlineData("bench")]
    [InlineData("bench --image a.png --requests 0")]
    [InlineData("bench --image a.png --warmup -1")]
    [InlineData("preset save")]
    [InlineData("preset show")]
    [InlineData("")]
    public void Invalid_command_lines_are_parse_errors(string commandLine) =>
        Assert.NotEmpty(Root().Parse(commandLine).Errors);

    [Fact]
    public void Bench_defaults()
    {
        var (result, bench) = Parse<BenchCommand>("bench --image in.png");

        Assert.Equal(
            new BenchSettings(RestoreCli.DefaultServer, "in.png", new RestoreOptionOverrides(), new BenchPlan(20, 1, 1), null),
            bench.ReadSettings(result));
    }

    [Fact]
    public void Bench_reads_every_option()
    {
        var (result, bench) = Parse<BenchCommand>(
            "bench --server http://s:1 --image in.png --concurrency 8 --requests 100 --warmup 3 --json r.json --model m --scale 2 --tile 128");

        Assert.Equal(
            new BenchSettings(
                "http://s:1",
                "in.png",
                new RestoreOptionOverrides { Model = "m", Scale = 2, TileSize = 128 },
                new BenchPlan(100, 8, 3),
                "r.json"),
            bench.ReadSettings(result));
    }

    [Fact]
    public void Preset_save_describes_the_options_given()
    {
        var (result, save) = Parse<PresetCommand.SaveCommand>("preset save p.json --model m --scale 2 --format webp --quality 90 --strip-metadata --timeout 60");

        Assert.Equal("p.json", result.GetValue(save.File));
        Assert.Equal(
            new RestoreOptions
            {
                Model = "m",
                Scale = 2,
                Format = OutputFormat.Webp,
                Quality = 90,
                StripMetadata = true,
                Timeout = TimeSpan.FromMinutes(1),
            },
            save.ReadOptions(result));
    }

    [Fact]
    public void Models_takes_only_the_server()
    {
        var (result, _) = Parse<ModelsCommand>("models --server http://m:2");

        Assert.Equal("http://m:2", result.GetValue<string>("--server"));
    }

    /// <summary>Records holding lists compare by reference; compare the list by content.</summary>
    private sealed class SettingsComparer : IEqualityComparer<UpscaleSettings>
    {
        public static SettingsComparer Instance { get; } = new();

        public bool Equals(UpscaleSettings? x, UpscaleSettings? y) =>
            x is not null && y is not null
            && x.Inputs.SequenceEqual(y.Inputs)
            && x with { Inputs = Array.Empty<string>() } == y with { Inputs = Array.Empty<string>() };

        public int GetHashCode(UpscaleSettings obj) => 0;
    }
}
