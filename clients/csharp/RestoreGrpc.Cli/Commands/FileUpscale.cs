using System.Diagnostics;
using Grpc.Core;
using RestoreGrpc.Cli.Files;
using RestoreGrpc.Cli.Output;
using SixLabors.ImageSharp;

namespace RestoreGrpc.Cli.Commands;

/// <summary>
/// One file of <c>restore upscale</c>, unary or streamed, by one path: an output known before the request is checked
/// first (<c>--overwrite</c>/<c>--skip-existing</c>), the file is reported as started and gets its root span, the
/// result goes through a <see cref="PartialOutput"/>, and a failure (server error, unreadable input, unwritable
/// output) is reported and marks the span as an error without stopping the batch. How the image travels is the
/// <see cref="IFileTransfer"/>'s business.
/// </summary>
internal static class FileUpscale
{
    public static async Task RunAsync(InputFile file, UpscaleBatch batch, IFileTransfer transfer, CancellationToken cancellationToken)
    {
        string? outputPath = transfer.OutputPathBeforeRequest(file, batch);
        if (outputPath is not null && !batch.MayWrite(file, outputPath))
        {
            return;
        }

        IBatchReporter reporter = batch.Reporter;
        reporter.Started(file);
        using Activity? span = CliTelemetry.StartFile(file.FullPath);
        long start = Stopwatch.GetTimestamp();
        using var output = new PartialOutput(batch.Existing);
        try
        {
            if (await transfer.RestoreAsync(file, batch, outputPath, output, cancellationToken).ConfigureAwait(false) is not { } succeeded)
            {
                return;
            }

            output.Commit();
            succeeded(Stopwatch.GetElapsedTime(start));
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Status.StatusCode.ToString());
            reporter.Failed(file, batch.Describe(ex));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or UnknownImageFormatException or InvalidImageContentException)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            reporter.Failed(file, ex.Message);
        }
    }
}
