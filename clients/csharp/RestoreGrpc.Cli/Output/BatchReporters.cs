using System.Collections.Concurrent;
using System.Diagnostics;
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

    /// <summary>Not restored: its output is there already and <c>--skip-existing</c> was given.</summary>
    void Skipped(InputFile input, string existingOutput);

    /// <summary>A streamed file's tiles so far.</summary>
    void TileProgress(InputFile input, int tilesDone, int tilesTotal);

    void SucceededStreamed(InputFile input, string outputPath, StreamRestoreResult result, TimeSpan elapsed);
}

/// <summary>
/// Plain lines for logs and pipes (no terminal, no ANSI codes): a line when a file starts, one per file in flight every
/// <c>interval</c> (its elapsed time, and its tiles when streamed), and one when it ends; successes and progress on
/// stdout, failures on stderr.
/// </summary>
internal sealed class PlainBatchReporter : IBatchReporter, IDisposable
{
    private readonly CliConsole _console;
    private readonly BatchSummary _summary;
    private readonly ConcurrentDictionary<string, FileProgress> _inFlight = new(StringComparer.Ordinal);
    private readonly Timer _timer;
    private int _started;

    public PlainBatchReporter(CliConsole console, BatchSummary summary, TimeSpan interval)
    {
        _console = console;
        _summary = summary;
        _timer = new Timer(_ => WriteProgress(), null, interval, interval);
    }

    public void Started(InputFile input)
    {
        int number = Interlocked.Increment(ref _started);
        _inFlight[input.FullPath] = new FileProgress(Stopwatch.GetTimestamp());
        _console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{number}/{_summary.Total}] {BatchText.Display(input.FullPath)}: restoring"));
    }

    public void Succeeded(InputFile input, string outputPath, RestoreResult result, TimeSpan elapsed)
    {
        _inFlight.TryRemove(input.FullPath, out _);
        _summary.RecordSuccess();
        _console.Out.WriteLine(BatchText.Success(input, outputPath, result, elapsed));
        if (BatchText.Note(result) is { } note)
        {
            _console.Out.WriteLine($"  note: {note}");
        }
    }

    public void Failed(InputFile input, string reason)
    {
        _inFlight.TryRemove(input.FullPath, out _);
        _summary.RecordFailure(input, reason);
        _console.Error.WriteLine($"FAILED {BatchText.Display(input.FullPath)}: {reason}");
    }

    public void Skipped(InputFile input, string existingOutput)
    {
        _summary.RecordSkipped();
        _console.Out.WriteLine($"skipped {BatchText.Display(input.FullPath)}: {BatchText.Display(existingOutput)} exists");
    }

    public void TileProgress(InputFile input, int tilesDone, int tilesTotal)
    {
        if (_inFlight.TryGetValue(input.FullPath, out FileProgress? progress))
        {
            progress.Tiles = (tilesDone, tilesTotal);
        }
    }

    public void SucceededStreamed(InputFile input, string outputPath, StreamRestoreResult result, TimeSpan elapsed)
    {
        _inFlight.TryRemove(input.FullPath, out _);
        _summary.RecordSuccess();
        _console.Out.WriteLine(BatchText.StreamedSuccess(input, outputPath, result, elapsed));
    }

    public void Dispose() => _timer.Dispose();

    private void WriteProgress()
    {
        foreach ((string path, FileProgress progress) in _inFlight)
        {
            double seconds = Stopwatch.GetElapsedTime(progress.Started).TotalSeconds;
            string tiles = progress.Tiles is (int done, int total and > 0)
                ? string.Create(CultureInfo.InvariantCulture, $", tile {done}/{total}")
                : string.Empty;
            _console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {BatchText.Display(path)}: {seconds:0} s{tiles}"));
        }
    }

    private sealed class FileProgress(long started)
    {
        private long _tiles;

        public long Started { get; } = started;

        /// <summary>Tiles done and total of a streamed file (0, 0 when unary); written by its request, read by the timer.</summary>
        public (int Done, int Total) Tiles
        {
            get
            {
                long packed = Interlocked.Read(ref _tiles);
                return ((int)(packed >> 32), (int)packed);
            }

            set => Interlocked.Exchange(ref _tiles, ((long)value.Done << 32) | (uint)value.Total);
        }
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
        if (BatchText.Note(result) is { } note)
        {
            _console.Ansi.MarkupLine($"[yellow]note[/]   {Markup.Escape(note)}");
        }

        Finish(input);
    }

    public void Failed(InputFile input, string reason)
    {
        _summary.RecordFailure(input, reason);
        _console.Ansi.MarkupLine($"[red]FAILED[/] {Markup.Escape($"{BatchText.Display(input.FullPath)}: {reason}")}");
        Finish(input);
    }

    public void Skipped(InputFile input, string existingOutput)
    {
        _summary.RecordSkipped();
        _console.Ansi.MarkupLine($"[grey]skipped[/] {Markup.Escape($"{BatchText.Display(input.FullPath)}: {BatchText.Display(existingOutput)} exists")}");
        _overall.Increment(1);
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

    /// <summary>What the server said beside the image (e.g. why faces were not looked for); null when nothing.</summary>
    public static string? Note(RestoreResult result) =>
        result.Details.FacesNotSearchedReason is { Length: > 0 } reason ? reason : null;

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
