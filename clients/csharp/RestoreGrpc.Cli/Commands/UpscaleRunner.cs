using System.Diagnostics;
using Grpc.Core;
using RestoreGrpc.Cli.Files;
using RestoreGrpc.Cli.Output;
using RestoreGrpc.Cli.Presets;
using RestoreGrpc.Client;
using ImageFormat = RestoreGrpc.Contracts.V1.ImageFormat;
using Spectre.Console;

namespace RestoreGrpc.Cli.Commands;

/// <summary>
/// Runs <c>restore upscale</c>: finds the inputs, restores them with bounded concurrency, writes each result
/// (through a temporary file, so an interrupted write leaves no half image; an output left by an earlier run is
/// kept unless <c>--overwrite</c>, and <c>--skip-existing</c> skips its input), and reports per file and in sum.
/// A file that fails (server error, unreadable, unwritable) is reported and skipped.
/// </summary>
internal sealed class UpscaleRunner(CliContext context)
{
    private readonly CliConsole _console = context.Console;

    public async Task<int> RunAsync(UpscaleSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        RestoreOptions options = await PresetFile.LoadAndMergeAsync(settings.PresetPath, settings.Overrides, cancellationToken)
            .ConfigureAwait(false);
        string outputDirectory = Path.GetFullPath(settings.OutputDirectory);

        InputDiscoveryResult discovery = InputDiscovery.Discover(settings.Inputs, settings.Recursive, outputDirectory);
        foreach (string path in discovery.Unsupported)
        {
            await _console.Error.WriteLineAsync($"warning: skipping {path}: not a supported image type ({CommonOptions.FormatNames}).")
                .ConfigureAwait(false);
        }

        if (discovery.Missing.Count > 0)
        {
            throw new UsageException($"not found: {string.Join(", ", discovery.Missing)}");
        }

        if (discovery.Files.Count == 0)
        {
            throw new UsageException(
                $"no images found in {string.Join(", ", settings.Inputs)}{(settings.Recursive ? string.Empty : " (use --recursive to search subfolders)")}.");
        }

        var namer = new OutputNamer(outputDirectory, discovery.Files, settings.TimestampNames ? DateTime.Now : null);
        using RestoreClient client = context.CreateClient(settings.Server, settings.Credentials);
        var summary = new BatchSummary(discovery.Files.Count, outputDirectory);

        try
        {
            if (_console.Interactive)
            {
                await _console.Ansi.Progress()
                    .AutoClear(true)
                    .HideCompleted(true)
                    .Columns(
                        new TaskDescriptionColumn(),
                        new ProgressBarColumn(),
                        new PercentageColumn(),
                        new ElapsedTimeColumn(),
                        new SpinnerColumn())
                    .StartAsync(async progress =>
                    {
                        var reporter = new SpectreBatchReporter(_console, progress, discovery.Files.Count, summary);
                        await ProcessAllAsync(discovery.Files, settings, new UpscaleBatch(client, options, namer, reporter, settings.Server, settings.Existing), cancellationToken)
                            .ConfigureAwait(false);
                    })
                    .ConfigureAwait(false);
            }
            else
            {
                using var reporter = new PlainBatchReporter(_console, summary, TimeSpan.FromSeconds(settings.ProgressIntervalSeconds));
                await ProcessAllAsync(discovery.Files, settings, new UpscaleBatch(client, options, namer, reporter, settings.Server, settings.Existing), cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            summary.Write(_console, cancelled: true);
            throw;
        }

        summary.Write(_console, cancelled: false);
        return summary.Failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static Task ProcessAllAsync(
        IReadOnlyList<InputFile> files,
        UpscaleSettings settings,
        UpscaleBatch batch,
        CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            files,
            new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken },
            (file, token) => new ValueTask(StreamedUpscale.ShouldStream(file, settings.StreamAboveMegapixels)
                ? StreamedUpscale.RunAsync(file, batch, token)
                : ProcessOneAsync(file, batch, token)));

    private static async Task ProcessOneAsync(InputFile file, UpscaleBatch batch, CancellationToken cancellationToken)
    {
        // Known up front (--scale given): an existing output costs no request.
        if (batch.PredictedPath(file) is { } predicted && !batch.MayWrite(file, predicted))
        {
            return;
        }

        IBatchReporter reporter = batch.Reporter;
        RestoreOptions options = batch.Options;
        reporter.Started(file);
        using Activity? span = CliTelemetry.StartFile(file.FullPath);
        long start = Stopwatch.GetTimestamp();
        string? partial = null;
        try
        {
            byte[] input = await File.ReadAllBytesAsync(file.FullPath, cancellationToken).ConfigureAwait(false);
            RestoreResult result = await batch.Client.RestoreAsync(input, options, cancellationToken).ConfigureAwait(false);

            // Named by the scale asked for (_x2.5), not the achieved ratio of truncated sides (2.503); else the model's.
            double? scale = options.Scale ?? (result.Details.Scale > 0 ? result.Details.Scale : null);
            string extension = result.Output.Format == ImageFormat.Unspecified
                ? file.Extension.ToLowerInvariant()
                : result.FileExtension;
            string outputPath = batch.Namer.Reserve(file, scale, extension);
            if (!batch.MayWrite(file, outputPath))
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
            partial = outputPath + ".partial";
            await File.WriteAllBytesAsync(partial, result.Image, cancellationToken).ConfigureAwait(false);
            File.Move(partial, outputPath, overwrite: batch.Existing == ExistingOutputPolicy.Overwrite);
            partial = null;

            reporter.Succeeded(file, outputPath, result, Stopwatch.GetElapsedTime(start));
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Status.StatusCode.ToString());
            reporter.Failed(file, batch.Describe(ex));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            reporter.Failed(file, ex.Message);
        }
        finally
        {
            if (partial is not null)
            {
                TryDelete(partial);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover .partial file is harmless.
        }
    }
}
