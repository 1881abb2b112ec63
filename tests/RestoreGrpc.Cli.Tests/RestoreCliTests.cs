using System.Text.Json;
using Grpc.Core;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Cli.Tests;

/// <summary>Runs whole commands in-process through <see cref="RestoreCli.RunAsync(string[], TextWriter, TextWriter, Action{RestoreGrpc.Client.RestoreClientOptions}?, CancellationToken)"/> against <see cref="FakeRestoreServer"/>.</summary>
public sealed class RestoreCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeRestoreServer _server = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    public void Dispose()
    {
        _temp.Dispose();
        _out.Dispose();
        _err.Dispose();
    }

    private Task<int> RunAsync(params string[] args) => RunAsync(TestContext.Current.CancellationToken, args);

    private Task<int> RunAsync(CancellationToken cancellationToken, params string[] args) =>
        RestoreCli.RunAsync(
            [.. args, "--server", "http://fake.test"],
            _out,
            _err,
            options => options.HttpHandler = _server,
            cancellationToken);

    [Fact]
    public async Task Upscale_writes_every_image_with_collision_free_mirrored_names()
    {
        _temp.CreateFile("in/a.png", [1]);
        _temp.CreateFile("in/a.jpg", [2]);
        _temp.CreateFile("in/sub/a.png", [3]);
        _temp.CreateFile("in/readme.txt");
        string output = _temp.Combine("out");

        int exit = await RunAsync("upscale", _temp.Combine("in"), "-r", "-o", output, "--scale", "2", "--format", "png");

        Assert.Equal(0, exit);
        Assert.Equal([1], await File.ReadAllBytesAsync(Path.Combine(output, "a_png_x2.png"), TestContext.Current.CancellationToken));
        Assert.Equal([2], await File.ReadAllBytesAsync(Path.Combine(output, "a_jpg_x2.png"), TestContext.Current.CancellationToken));
        Assert.Equal([3], await File.ReadAllBytesAsync(Path.Combine(output, "sub", "a_x2.png"), TestContext.Current.CancellationToken));
        Assert.Equal(3, Directory.GetFiles(output, "*", SearchOption.AllDirectories).Length);
        Assert.Contains("Succeeded 3, failed 0, total 3", _out.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, _err.ToString());
        Assert.All(_server.Requests, r => Assert.Equal(ImageFormat.Png, r.Options.Output.Format));
    }

    [Fact]
    public async Task Upscale_keeps_the_input_format_and_can_use_timestamp_names()
    {
        string input = _temp.CreateFile("photo.webp");
        string output = _temp.Combine("out");

        int exit = await RunAsync("upscale", input, "-o", output, "--timestamp-names");

        Assert.Equal(0, exit);
        string written = Path.GetFileName(Assert.Single(Directory.GetFiles(output)));
        Assert.Matches(@"^photo_\d{8}-\d{6}\.png$", written); // the fake answers PNG when no format is asked
    }

    [Fact]
    public async Task A_failing_file_is_reported_and_skipped_and_the_exit_code_is_1()
    {
        _temp.CreateFile("in/bad.png", [0xBA, 0xD0]);
        _temp.CreateFile("in/good.png", [7]);
        string output = _temp.Combine("out");
        _server.Fail = r => r.Image.Span[0] == 0xBA ? new Status(StatusCode.InvalidArgument, "cannot decode image") : null;

        int exit = await RunAsync("upscale", _temp.Combine("in"), "-o", output, "-j", "2");

        Assert.Equal(1, exit);
        Assert.Contains("bad.png: InvalidArgument: cannot decode image", _err.ToString(), StringComparison.Ordinal);
        Assert.Contains("Succeeded 1, failed 1, total 2", _out.ToString(), StringComparison.Ordinal);
        Assert.Equal(["good_x4.png"], Directory.GetFiles(output).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Upscale_merges_the_preset_with_command_line_overrides()
    {
        string preset = _temp.CreateFile("p.json", """{ "model": "preset-model", "scale": 4, "quality": 80, "format": "Webp" }"""u8.ToArray());
        string input = _temp.CreateFile("a.png");

        int exit = await RunAsync("upscale", input, "-o", _temp.Combine("out"), "--preset", preset, "--scale", "2", "--tile", "64");

        Assert.Equal(0, exit);
        RestoreRequest request = Assert.Single(_server.Requests);
        Assert.Equal("preset-model", request.Options.Model);
        Assert.Equal(2, request.Options.Scale);
        Assert.Equal(64, request.Options.Tiling.TileSize);
        Assert.Equal(80, request.Options.Output.Quality);
        Assert.Equal(ImageFormat.Webp, request.Options.Output.Format);
        Assert.True(File.Exists(_temp.Combine("out/a_x2.webp")));
    }

    [Fact]
    public async Task Upscale_without_inputs_or_with_a_bad_preset_is_a_usage_error()
    {
        _temp.CreateDirectory("empty");

        Assert.Equal(2, await RunAsync("upscale", _temp.Combine("empty")));
        Assert.Equal(2, await RunAsync("upscale", _temp.Combine("missing.png")));
        Assert.Equal(2, await RunAsync("upscale", _temp.CreateFile("a.png"), "--preset", _temp.Combine("none.json")));
        Assert.Empty(_server.Requests);
        Assert.Contains("no images found", _err.ToString(), StringComparison.Ordinal);
        Assert.Contains("not found", _err.ToString(), StringComparison.Ordinal);
        Assert.Contains("Preset file not found", _err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_errors_exit_2_with_a_message()
    {
        int exit = await RunAsync("upscale", "a.png", "--quality", "500");

        Assert.Equal(2, exit);
        Assert.Contains("--quality must be between 1 and 100", _err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_stops_the_batch_with_exit_code_130()
    {
        _temp.CreateFile("in/a.png");
        _temp.CreateFile("in/b.png");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        _server.BeforeRestore = async (_, ct) =>
        {
            await cts.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
        };

        int exit = await RunAsync(cts.Token, "upscale", _temp.Combine("in"), "-o", _temp.Combine("out"));

        Assert.Equal(130, exit);
        Assert.Contains("Cancelled", _err.ToString(), StringComparison.Ordinal);
        Assert.Contains("Succeeded 0, failed 0, total 2", _out.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("out")) && Directory.EnumerateFileSystemEntries(_temp.Combine("out")).Any());
    }

    [Fact]
    public async Task Models_prints_the_catalog_as_a_table()
    {
        _server.Models.Add(new ModelInfo
        {
            Name = "realesrgan-x4plus",
            Task = ModelTask.SuperResolution,
            Scale = 4,
            State = ModelState.Ready,
            ExecutionProvider = ExecutionProvider.Cuda,
            TileSize = 256,
            TileMargin = 16,
            Description = "General photos",
        });
        _server.Models.Add(new ModelInfo
        {
            Name = "gfpgan",
            Task = ModelTask.FaceRestoration,
            Scale = 1,
            State = ModelState.Failed,
            StateDetail = "checksum mismatch",
        });

        int exit = await RunAsync("models");

        Assert.Equal(0, exit);
        string table = _out.ToString();
        Assert.Contains("realesrgan-x4plus", table, StringComparison.Ordinal);
        Assert.Contains("super-resolution", table, StringComparison.Ordinal);
        Assert.Contains("256 / 16", table, StringComparison.Ordinal);
        Assert.Contains("checksum mismatch", table, StringComparison.Ordinal);
        Assert.Contains("face-restoration", table, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", table, StringComparison.Ordinal); // no ANSI codes when not a terminal
    }

    [Fact]
    public async Task Models_reports_server_errors_with_exit_code_1()
    {
        using var failing = new FailingHandler();
        int exit = await RestoreCli.RunAsync(
            ["models", "--server", "http://fake.test"],
            _out,
            _err,
            options =>
            {
                options.HttpHandler = failing;
                options.MaxAttempts = 1;
            },
            TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        Assert.StartsWith("error: Unavailable:", _err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_sends_warmup_and_requests_and_writes_a_json_report()
    {
        string image = _temp.CreateFile("in.png");
        string json = _temp.Combine("reports/bench.json");

        int exit = await RunAsync("bench", "--image", image, "-j", "3", "-n", "12", "--warmup", "2", "--json", json, "--scale", "2");

        Assert.Equal(0, exit);
        Assert.Equal(14, _server.Requests.Count);
        Assert.All(_server.Requests, r => Assert.Equal(2, r.Options.Scale));
        string text = _out.ToString();
        Assert.Contains("12 succeeded, 0 failed", text, StringComparison.Ordinal);
        Assert.Contains("images/s", text, StringComparison.Ordinal);
        Assert.Contains("p95", text, StringComparison.Ordinal);

        using JsonDocument report = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        JsonElement root = report.RootElement;
        Assert.Equal(12, root.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, root.GetProperty("failed").GetInt32());
        Assert.Equal(3, root.GetProperty("concurrency").GetInt32());
        Assert.Equal(FakeRestoreServer.InputWidth, root.GetProperty("inputWidth").GetInt32());
        Assert.Equal(FakeRestoreServer.InputHeight, root.GetProperty("inputHeight").GetInt32());
        Assert.Equal(12, root.GetProperty("latencyMs").GetProperty("count").GetInt32());
        Assert.True(root.GetProperty("latencyMs").GetProperty("p99").GetDouble() >= root.GetProperty("latencyMs").GetProperty("p50").GetDouble());
        double imagesPerSecond = root.GetProperty("imagesPerSecond").GetDouble();
        Assert.Equal(imagesPerSecond * 50 / 1e6, root.GetProperty("megapixelsPerSecond").GetDouble(), 9);
    }

    [Fact]
    public async Task Bench_counts_failures_and_exits_1()
    {
        string image = _temp.CreateFile("in.png");
        int n = 0;
        _server.Fail = _ => Interlocked.Increment(ref n) % 2 == 0 ? new Status(StatusCode.ResourceExhausted, "busy") : null;

        int exit = await RunAsync("bench", "--image", image, "-n", "6", "--warmup", "1", "--json", _temp.Combine("b.json"));

        Assert.Equal(1, exit);
        Assert.Contains("3 succeeded, 3 failed", _out.ToString(), StringComparison.Ordinal);
        Assert.Contains("3 x ResourceExhausted: busy", _err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preset_save_then_show()
    {
        string preset = _temp.Combine("presets/p.json");

        Assert.Equal(0, await RunAsync("preset", "save", preset, "--model", "m", "--scale", "2", "-f", "jpg"));
        _out.GetStringBuilder().Clear();
        Assert.Equal(0, await RunAsync("preset", "show", preset));

        string shown = _out.ToString();
        Assert.Contains("\"model\": \"m\"", shown, StringComparison.Ordinal);
        Assert.Contains("\"format\": \"Jpeg\"", shown, StringComparison.Ordinal);
        Assert.Equal(2, await RunAsync("preset", "show", _temp.Combine("nope.json")));
    }

    /// <summary>Every call fails as if the server were down.</summary>
    private sealed class FailingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("connection refused", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
    }
}
