using System.Collections.Concurrent;
using System.Globalization;
using RestoreGrpc.Cli.Files;
using RestoreGrpc.Client;
using RestoreGrpc.Client.Streaming;
using Spectre.Console;

namespace RestoreGrpc.Cli.Output;

/// <summary>Hears how each file of a batch fares. Called from several threads at once.</summary>
internal interface IBatchReporter
{
    void Started(InputFile input);

    void Succeeded(InputFile input, string outputPath, RestoreResult result, TimeSpan elapsed);

    void Failed(InputFile input, string reason);

    /// <summary>A streamed file's tiles so far.</summary>
    void TileProgress(InputFile input, int tilesDone, int tilesTotal);

    void SucceededStreamed(InputFile input, string outputPath, StreamRestoreResult result, TimeSpan elapsed);
}

/// <summary>One line per file: successes on stdout, failures on stderr.</summary>
internal sealed class PlainBatchReporter(CliConsole console, BatchSummary summary) : IBatchReporter
{
    public void Started(InputFile input)
    {
    }

    public void Succeeded(InputFile input, string outputPath, RestoreResult result, TimeSpan elapsed)
    {
        summary.RecordSuccess();
        console.Out.WriteLine(BatchText.Success(input, outputPath, result, elapsed));
    }

    public void Failed(InputFile input, string reason)
    {
        summary.RecordFailure(input, reason);
        console.Error.WriteLine($"FAILED {BatchText.Display(input.FullPath)}: {reason}");
    }

    public void TileProgress(InputFile input, int tilesDone, int tilesTotal)
    {
    }

    public void SucceededStreamed(InputFile input, string outputPath, StreamRestoreResult result, TimeSpan elapsed)
    {
        summary.RecordSuccess();
        console.Out.WriteLine(BatchText.StreamedSuccess(input, outputPath, result, elapsed));
    }
}

/// <summary>Live progress: an overall bar plus a spinner row per file in flight.</summary>
internal sealed class SpectreBatchReporter : IBatchReporter
{
    private readonly CliConsole _console;
    private readonly ProgressContext _progress;
    private readonly ProgressTask _overall;
    private readonly BatchSummary _summary;
    private readonly ConcurrentDictionary<string, ProgressTask> _inFlight = new(StringComparer.Ordinal);

    public SpectreBatchReporter(CliConsole console, ProgressContext progress, int total, BatchSummary summary)
    {
        _console = console;
        _progress = progress;
        _summary = summary;
        _overall = progress.AddTask($"Restoring {total} image{(total == 1 ? string.Empty : "s")}", maxValue: total);
    }

    public void Started(InputFile input)
    {
        ProgressTask task = _progress.AddTask(Markup.Escape(Path.GetFileName(input.FullPath)), maxValue: 1);
        task.IsIndeterminate = true;
        _inFlight[input.FullPath] = task;
    }

    public void Succeeded(InputFile input, string outputPath, RestoreResult result, TimeSpan elapsed)
    {
        _summary.RecordSuccess();
        _console.Ansi.MarkupLine($"[green]ok[/]     {Markup.Escape(BatchText.Success(input, outputPath, result, elapsed))}");
        Finish(input);
    }

    public void Failed(InputFile input, string reason)
    {
        _summary.RecordFailure(input, reason);
        _console.Ansi.MarkupLine($"[red]FAILED[/] {Markup.Escape($"{BatchText.Display(input.FullPath)}: {reason}")}");
        Finish(input);
    }

    public void TileProgress(InputFile input, int tilesDone, int tilesTotal)
    {
        if (_inFlight.TryGetValue(input.FullPath, out ProgressTask? task))
        {
            task.IsIndeterminate = false;
            task.MaxValue = tilesTotal;
            task.Value = tilesDone;
            task.Description = Markup.Escape($"{Path.GetFileName(input.FullPath)} (tile {tilesDone}/{tilesTotal})");
        }
    }

    public void SucceededStreamed(InputFile input, string outputPath, StreamRestoreResult result, TimeSpan elapsed)
    {
        _summary.RecordSuccess();
        _console.Ansi.MarkupLine($"[green]ok[/]     {Markup.Escape(BatchText.StreamedSuccess(input, outputPath, result, elapsed))}");
        Finish(input);
    }

    private void Finish(InputFile input)
    {
        if (_inFlight.TryRemove(input.FullPath, out ProgressTask? task))
        {
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }

        _overall.Increment(1);
    }
}

/// <summary>Wording shared by the reporters.</summary>
internal static class BatchText
{
    /// <summary>A path relative to the current directory when it lies below it, else as is.</summary>
    public static string Display(string path)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }

    public static string StreamedSuccess(InputFile input, string outputPath, StreamRestoreResult result, TimeSpan elapsed) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Display(input.FullPath)} -> {Display(outputPath)}  {result.OutputWidth}x{result.OutputHeight}  {result.Model}  streamed {result.TileCount} tiles{(result.Reconnects > 0 ? $", resumed {result.Reconnects}x" : string.Empty)}  {elapsed.TotalSeconds:0.00} s");

    public static string Success(InputFile input, string outputPath, RestoreResult result, TimeSpan elapsed)
    {
        var details = result.Details;
        string size = details.Input is { } i
            ? $"{i.Width}x{i.Height} -> {result.Output.Width}x{result.Output.Height}"
            : $"{result.Output.Width}x{result.Output.Height}";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Display(input.FullPath)} -> {Display(outputPath)}  {size}  {details.Model} x{OutputNamer.FormatScale(details.Scale)}  {elapsed.TotalSeconds:0.00} s");
    }
}
