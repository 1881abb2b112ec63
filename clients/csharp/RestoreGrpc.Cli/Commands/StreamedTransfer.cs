using RestoreGrpc.Cli.Files;
using RestoreGrpc.Client;
using RestoreGrpc.Client.Streaming;
using SixLabors.ImageSharp;

namespace RestoreGrpc.Cli.Commands;

/// <summary>
/// Large inputs: the image is streamed tile by tile (RestoreLargeAsync, the RestoreStream RPC) and the output written
/// progressively to a tiled BigTIFF, so its size does not matter; a lost connection is resumed. The name is known
/// before the request (<c>.tif</c>).
/// </summary>
internal sealed class StreamedTransfer : IFileTransfer
{
    public static readonly StreamedTransfer Instance = new();

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

    public string? OutputPathBeforeRequest(InputFile file, UpscaleBatch batch) => batch.Namer.Reserve(file, batch.Options.Scale, ".tif");

    public async Task<Action<TimeSpan>?> RestoreAsync(InputFile file, UpscaleBatch batch, string? outputPath, PartialOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outputPath);
        StreamRestoreResult result;
        using (ImageTileSource source = ImageTileSource.Load(file.FullPath))
        using (var sink = new TiffTileSink(output.Begin(outputPath)))
        {
            var progress = new TileProgress(report => batch.Reporter.TileProgress(file, report.TilesDone, report.TilesTotal));
            result = await batch.Client.RestoreLargeAsync(source, sink, batch.Options with { Format = null }, progress, cancellationToken).ConfigureAwait(false);
        }

        return elapsed => batch.Reporter.SucceededStreamed(file, outputPath, result, elapsed);
    }

    /// <summary>Reports on the calling thread, in order (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class TileProgress(Action<StreamProgressReport> report) : IProgress<StreamProgressReport>
    {
        public void Report(StreamProgressReport value) => report(value);
    }
}
