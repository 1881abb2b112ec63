using System.Collections.Concurrent;
using System.Diagnostics;
using RestoreGrpc.Cli;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.IntegrationTests.Streaming;

/// <summary><c>restore upscale</c> streams inputs above its threshold to a tiled BigTIFF.</summary>
public sealed class CliStreamingTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Inputs_above_the_threshold_are_streamed_to_a_tiled_tiff_of_the_right_size()
    {
        using var temp = new TempDirectory();
        string input = temp.Combine("big.png");
        using (Image<Rgb24> image = StreamingEndToEndTests.TestPattern(200, 120, seed: 5))
        {
            await image.SaveAsPngAsync(input, Ct);
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await RestoreCli.RunAsync(
            ["upscale", input, "-o", temp.Combine("out"), "--model", "builtin-lanczos-x4", "--tile", "64", "--stream-above", "0.01",
             "--server", fixture.Server.Address.ToString()],
            stdout,
            stderr,
            Ct);

        Assert.True(exit == 0, stdout.ToString() + stderr);
        Assert.Contains("streamed", stdout.ToString(), StringComparison.Ordinal);
        string output = Assert.Single(Directory.GetFiles(temp.Combine("out")));
        Assert.EndsWith(".tif", output, StringComparison.Ordinal);
        using Image<Rgb24> written = TiffFile.ReadTiledRgb24(output);
        Assert.Equal((800, 480), (written.Width, written.Height));
    }

    [Fact]
    public async Task A_streamed_file_gets_its_root_span_like_a_unary_one()
    {
        using var temp = new TempDirectory();
        string input = temp.Combine("traced.png");
        using (Image<Rgb24> image = StreamingEndToEndTests.TestPattern(96, 64, seed: 6))
        {
            await image.SaveAsPngAsync(input, Ct);
        }

        var roots = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "RestoreGrpc.Cli",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.DisplayName == "restore file" && Equals(activity.GetTagItem("file.path"), input))
                {
                    roots.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        int exit = await RestoreCli.RunAsync(
            ["upscale", input, "-o", temp.Combine("out"), "--model", "builtin-lanczos-x4", "--tile", "64", "--stream-above", "0.001",
             "--server", fixture.Server.Address.ToString()],
            TextWriter.Null,
            TextWriter.Null,
            Ct);

        Assert.Equal(0, exit);
        Activity root = Assert.Single(roots);
        Assert.Null(root.Parent);
    }
}
