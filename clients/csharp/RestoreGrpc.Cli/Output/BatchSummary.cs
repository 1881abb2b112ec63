using System.Diagnostics;
using System.Globalization;
using RestoreGrpc.Cli.Files;
using Spectre.Console;

namespace RestoreGrpc.Cli.Output;

/// <summary>Counts a batch's outcomes (thread-safe) and prints the closing summary.</summary>
internal sealed class BatchSummary(int total, string outputDirectory)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Lock _lock = new();
    private readonly List<(string File, string Reason)> _failures = [];
    private int _succeeded;
    private int _skipped;

    public int Total { get; } = total;

    public int Succeeded => Volatile.Read(ref _succeeded);

    /// <summary>Inputs whose output was already there (<c>--skip-existing</c>).</summary>
    public int Skipped => Volatile.Read(ref _skipped);

    public int Failed
    {
        get
        {
            lock (_lock)
            {
                return _failures.Count;
            }
        }
    }

    public void RecordSuccess() => Interlocked.Increment(ref _succeeded);

    public void RecordSkipped() => Interlocked.Increment(ref _skipped);

    public void RecordFailure(InputFile input, string reason)
    {
        ArgumentNullException.ThrowIfNull(input);
        lock (_lock)
        {
            _failures.Add((BatchText.Display(input.FullPath), reason));
        }
    }

    /// <summary>
    /// Plain: one line, <c>Succeeded 3, failed 1, total 4 in 2.31 s. Outputs in restored</c> (with <c>skipped N</c>
    /// after the successes when outputs were already there).
    /// Interactive: a table, with the failures listed.
    /// </summary>
    public void Write(CliConsole console, bool cancelled)
    {
        ArgumentNullException.ThrowIfNull(console);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(_started);
        List<(string File, string Reason)> failures;
        lock (_lock)
        {
            failures = [.. _failures];
        }

        int existing = Skipped;
        int notProcessed = Total - Succeeded - existing - failures.Count;
        string skippedText = existing > 0 ? $", skipped {existing} (output exists)" : string.Empty;
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"Succeeded {Succeeded}{skippedText}, failed {failures.Count}, total {Total} in {elapsed.TotalSeconds:0.00} s.");
        if (cancelled && notProcessed > 0)
        {
            line += $" Cancelled: {notProcessed} not processed.";
        }

        if (Succeeded > 0)
        {
            line += $" Outputs in {BatchText.Display(outputDirectory)}";
        }

        if (!console.Interactive)
        {
            console.Out.WriteLine(line);
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Result").AddColumn(new TableColumn("Files").RightAligned());
        table.AddRow("[green]Succeeded[/]", Succeeded.ToString(CultureInfo.InvariantCulture));
        if (existing > 0)
        {
            table.AddRow("Skipped (output exists)", existing.ToString(CultureInfo.InvariantCulture));
        }

        table.AddRow(failures.Count > 0 ? "[red]Failed[/]" : "Failed", failures.Count.ToString(CultureInfo.InvariantCulture));
        if (cancelled && notProcessed > 0)
        {
            table.AddRow("[yellow]Not processed[/]", notProcessed.ToString(CultureInfo.InvariantCulture));
        }

        table.AddRow("Total", Total.ToString(CultureInfo.InvariantCulture));
        table.AddRow("Time", string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.00} s"));
        console.Ansi.Write(table);
        foreach ((string file, string reason) in failures)
        {
            console.Ansi.MarkupLine($"[red]FAILED[/] {Markup.Escape($"{file}: {reason}")}");
        }

        if (Succeeded > 0)
        {
            console.Ansi.MarkupLine($"Outputs in {Markup.Escape(BatchText.Display(outputDirectory))}");
        }
    }
}
