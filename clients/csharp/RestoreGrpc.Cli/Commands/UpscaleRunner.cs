using RestoreGrpc.Cli.Files;
using RestoreGrpc.Cli.Output;
using RestoreGrpc.Cli.Presets;
using RestoreGrpc.Client;
using Spectre.Console;

namespace RestoreGrpc.Cli.Commands;

/// <summary>
/// Runs <c>restore upscale</c>: finds the inputs, restores them with bounded concurrency, each unary or streamed by
/// its size through the one per-file path (<see cref="FileUpscale"/>: through a temporary file, so an interrupted
/// write leaves no half image; an output left by an earlier run is kept unless <c>--overwrite</c>, and
/// <c>--skip-existing</c> skips its input; a file that fails is reported and skipped), and reports per file and in sum.
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
            (file, token) => new ValueTask(FileUpscale.RunAsync(
                file,
                batch,
                StreamedTransfer.ShouldStream(file, settings.StreamAboveMegapixels) ? StreamedTransfer.Instance : UnaryTransfer.Instance,
                token)));
}
