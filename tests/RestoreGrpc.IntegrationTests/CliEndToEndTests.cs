using System.Text.Json;
using RestoreGrpc.Cli;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;

namespace RestoreGrpc.IntegrationTests;

/// <summary>The restore CLI, in process, against the real server.</summary>
public sealed class CliEndToEndTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upscaling_a_folder_with_one_broken_file_restores_the_rest_reports_it_and_exits_non_zero()
    {
        using var temp = new TempDirectory();
        string input = temp.CreateDirectory("in");
        string output = temp.Combine("out");
        foreach (string name in new[] { "text.png", "page.png", "truncated.jpg" })
        {
            File.Copy(SharedAssets.Image(name), Path.Combine(input, name));
        }

        (int exit, string stdout, string stderr) = await RunAsync(
            "upscale", input, "-o", output, "--model", "realesrganv2-animevideo-x2", "--server", fixture.Server.Address.ToString());

        Assert.Equal(1, exit);
        Assert.Contains("truncated.jpg", stderr, StringComparison.Ordinal);
        Assert.Contains("InvalidArgument", stderr, StringComparison.Ordinal);
        Assert.Contains("Succeeded 2, failed 1", stdout + stderr, StringComparison.Ordinal);

        string[] written = Directory.GetFiles(output).Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(["page_x2.png", "text_x2.png"], written);
        IImageInfo text = Image.Identify(Path.Combine(output, "text_x2.png"));
        Assert.Equal((896, 344), (text.Width, text.Height));
    }

    [Fact]
    public async Task Task_auto_restores_a_portrait_through_the_face_path()
    {
        _ = SharedAssets.Model("face-standin-512.onnx");
        using var temp = new TempDirectory();
        (int exit, string stdout, string stderr) = await RunAsync(
            "upscale", SharedAssets.Image("astronaut.png"), "-o", temp.Path, "-m", "realesrganv2-animevideo-x2",
            "--task", "auto", "--face-blend", "0.8", "--server", fixture.Server.Address.ToString());
        Assert.True(exit == 0, stdout + stderr);
        IImageInfo output = Image.Identify(Path.Combine(temp.Path, "astronaut_x2.png"));
        Assert.Equal((1024, 1024), (output.Width, output.Height));
    }

    [Fact]
    public async Task Models_lists_the_real_catalog()
    {
        _ = SharedAssets.ModelsDirectory;
        (int exit, string stdout, _) = await RunAsync("models", "--server", fixture.Server.Address.ToString());
        Assert.Equal(0, exit);
        Assert.Contains("realesr-general-x4v3", stdout, StringComparison.Ordinal);
        Assert.Contains("builtin-lanczos-x4", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_measures_a_real_server_and_writes_json()
    {
        using var temp = new TempDirectory();
        string json = temp.Combine("bench.json");
        (int exit, string stdout, _) = await RunAsync(
            "bench", "--server", fixture.Server.Address.ToString(), "--image", SharedAssets.Image("palette_color.png"),
            "--concurrency", "2", "--requests", "6", "--model", "realesr-general-x4v3", "--json", json);
        Assert.Equal(0, exit);
        Assert.Contains("p99", stdout, StringComparison.OrdinalIgnoreCase);
        using JsonDocument report = JsonDocument.Parse(await File.ReadAllTextAsync(json, Ct));
        JsonElement root = report.RootElement;
        Assert.Equal(6, root.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, root.GetProperty("failed").GetInt32());
        Assert.Equal(10, root.GetProperty("inputWidth").GetInt32());
        Assert.True(root.GetProperty("imagesPerSecond").GetDouble() > 0);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await RestoreCli.RunAsync(args, stdout, stderr, Ct);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
