using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Cli.Tests;

/// <summary>
/// What a new user meets on a re-run and without a terminal: existing outputs are kept unless asked, progress
/// lines arrive while a slow file runs, a mistyped option is called an option, an absent server is named.
/// </summary>
public sealed class FirstRunTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeRestoreServer _server = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _temp.Dispose();
        _out.Dispose();
        _err.Dispose();
    }

    private Task<int> RunAsync(params string[] args) =>
        RestoreCli.RunAsync([.. args, "--server", "http://fake.test"], _out, _err, options => options.HttpHandler = _server, Ct);

    [Fact]
    public async Task A_rerun_keeps_existing_outputs_unless_told_to_overwrite_or_skip()
    {
        string input = _temp.CreateFile("in/a.png", [1]);
        string output = _temp.Combine("out");
        Assert.Equal(0, await RunAsync("upscale", input, "-o", output));
        string written = Path.Combine(output, "a_x4.png");
        await File.WriteAllBytesAsync(written, [42], Ct); // the user's copy, or an earlier result

        // Default: the output is kept and the input reported, naming both switches.
        Assert.Equal(1, await RunAsync("upscale", input, "-o", output));
        Assert.Equal([42], await File.ReadAllBytesAsync(written, Ct));
        Assert.Contains("a_x4.png already exists (--overwrite replaces it, --skip-existing skips it)", _err.ToString(), StringComparison.Ordinal);

        // --skip-existing: kept, counted as skipped, exit 0.
        _out.GetStringBuilder().Clear();
        Assert.Equal(0, await RunAsync("upscale", input, "-o", output, "--skip-existing"));
        Assert.Equal([42], await File.ReadAllBytesAsync(written, Ct));
        Assert.Contains("Succeeded 0, skipped 1 (output exists), failed 0, total 1", _out.ToString(), StringComparison.Ordinal);

        // --overwrite: replaced.
        Assert.Equal(0, await RunAsync("upscale", input, "-o", output, "--overwrite"));
        Assert.Equal([1], await File.ReadAllBytesAsync(written, Ct));
        Assert.Single(Directory.GetFiles(output));
    }

    [Fact]
    public async Task Skip_existing_sends_no_request_when_the_name_is_known_up_front()
    {
        string input = _temp.CreateFile("a.png", [1]);
        string output = _temp.Combine("out");
        _temp.CreateFile("out/a_x2.png", [42]);

        Assert.Equal(0, await RunAsync("upscale", input, "-o", output, "--scale", "2", "--skip-existing"));

        Assert.Empty(_server.Requests);
        Assert.Contains("skipped a.png", _out.ToString().Replace(_temp.Path + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_terminal_a_slow_file_prints_progress_lines_while_it_runs()
    {
        string input = _temp.CreateFile("slow.png", [1]);
        _server.BeforeRestore = async (_, token) =>
        {
            // Answer only once a progress line for the running file has been printed.
            while (!Snapshot(_out).Contains("slow.png: 0 s", StringComparison.Ordinal) && !Snapshot(_out).Contains("slow.png: 1 s", StringComparison.Ordinal))
            {
                await Task.Delay(20, token);
            }
        };

        Assert.Equal(0, await RunAsync("upscale", input, "-o", _temp.Combine("out"), "--progress-every", "0.05"));

        string text = _out.ToString();
        Assert.Contains("[1/1] ", text, StringComparison.Ordinal);
        Assert.Contains("Succeeded 1, failed 0, total 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', text); // no ANSI codes
        Assert.DoesNotContain('\r', text); // no redrawn lines
    }

    [Fact]
    public async Task An_unknown_option_is_reported_as_an_unknown_option()
    {
        string input = _temp.CreateFile("a.png", [1]);

        Assert.Equal(2, await RunAsync("upscale", input, "--bogus"));

        Assert.Contains("unknown option '--bogus'", _err.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("not found", _err.ToString(), StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task An_unreachable_server_is_named_with_how_to_set_the_address()
    {
        int port = LoopbackPorts.Free(); // released: nothing listens there
        string server = $"http://127.0.0.1:{port}";

        int exit = await RestoreCli.RunAsync(["models", "--server", server], _out, _err, o => o.MaxAttempts = 1, Ct);

        Assert.Equal(1, exit);
        string error = _err.ToString();
        Assert.Contains($"cannot reach the server at {server}", error, StringComparison.Ordinal);
        Assert.Contains("--server", error, StringComparison.Ordinal);
        Assert.Contains("$RESTORE_SERVER", error, StringComparison.Ordinal);
        Assert.DoesNotContain("subchannel", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_says_why_a_model_is_not_ready_on_one_unbroken_line()
    {
        string detail = "file /a/rather/long/absolute/path/to/the/model/folder/of/this/server/RealESRGAN_x4plus.onnx not found";
        _server.Models.Add(new ModelInfo { Name = "RealESRGAN_x4plus", Task = ModelTask.SuperResolution, Scale = 4, State = ModelState.Missing, StateDetail = detail, Description = "Real-ESRGAN x4plus (RRDBNet, 23 blocks): highest quality, ~15x the compute of general-x4v3." });

        Assert.Equal(0, await RunAsync("models"));

        Assert.Contains($"RealESRGAN_x4plus (missing): {detail}", _out.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The text so far; the CLI may be appending on another thread, so a torn read counts as nothing yet.</summary>
    private static string Snapshot(StringWriter writer)
    {
        try
        {
            return writer.ToString();
        }
        catch (ArgumentOutOfRangeException)
        {
            return string.Empty;
        }
    }
}
