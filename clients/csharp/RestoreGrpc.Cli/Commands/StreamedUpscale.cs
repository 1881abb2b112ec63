using System.Diagnostics;
using Grpc.Core;
using RestoreGrpc.Cli.Files;
using RestoreGrpc.Cli.Output;
using RestoreGrpc.Client;
using RestoreGrpc.Client.Streaming;
using SixLabors.ImageSharp;

namespace RestoreGrpc.Cli.Commands;

/// <summary>
/// <c>restore upscale</c> for large inputs: the image is streamed tile by tile (RestoreLargeAsync) and the output
/// written progressively to a tiled BigTIFF, so its size does not matter; a lost connection is resumed. The
/// output goes through a temporary file, like unary results.
/// </summary>
internal static class StreamedUpscale
{
    /// <summary>Whether the input (read from its header only) is above the streaming threshold.</summary>
    public static bool ShouldStream(InputFile file, double aboveMegapixels)
    {
        if (aboveMegapixels <= 0)
        {
            return true;
        }

        try
        {
            IImageInfo? info = Image.Identify(file.FullPath);
            return info is not null && (double)info.Width * info.Height > aboveMegapixels * 1e6;
        }
        catch (Exception e) when (e is IOException or UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            // Unreadable here: the unary path sends it and reports the server's verdict.
            return false;
        }
    }

    public static async Task RunAsync(InputFile file, UpscaleBatch batch, CancellationToken cancellationToken)
    {
        RestoreOptions options = batch.Options;
        IBatchReporter reporter = batch.Reporter;
        string outputPath = batch.Namer.Reserve(file, options.Scale, ".tif");
        if (!batch.MayWrite(file, outputPath))
        {
            return;
        }

        reporter.Started(file);
        using Activity? span = CliTelemetry.StartFile(file.FullPath);
        long start = Stopwatch.GetTimestamp();
        string? partial = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
            partial = outputPath + ".partial";
            StreamRestoreResult result;
            using (ImageTileSource source = ImageTileSource.Load(file.FullPath))
            using (var sink = new TiffTileSink(partial))
            {
                var progress = new TileProgress(report => reporter.TileProgress(file, report.TilesDone, report.TilesTotal));
                result = await batch.Client.RestoreLargeAsync(source, sink, options with { Format = null }, progress, cancellationToken).ConfigureAwait(false);
            }

            File.Move(partial, outputPath, overwrite: batch.Existing == ExistingOutputPolicy.Overwrite);
            partial = null;
            reporter.SucceededStreamed(file, outputPath, result, Stopwatch.GetElapsedTime(start));
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            reporter.Failed(file, batch.Describe(ex));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or UnknownImageFormatException or InvalidImageContentException)
        {
            reporter.Failed(file, ex.Message);
        }
        finally
        {
            if (partial is not null)
            {
                try
                {
                    File.Delete(partial);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Best effort: a leftover .partial file is harmless.
                }
            }
        }
    }

    /// <summary>Reports on the calling thread, in order (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class TileProgress(Action<StreamProgressReport> report) : IProgress<StreamProgressReport>
    {
        public void Report(StreamProgressReport value) => report(value);
    }
}
