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

    public int Total { get; } = total;

    public int Succeeded => Volatile.Read(ref _succeeded);

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

    public void RecordFailure(InputFile input, string reason)
    {
        ArgumentNullException.ThrowIfNull(input);
        lock (_lock)
        {
            _failures.Add((BatchText.Display(input.FullPath), reason));
        }
    }

    /// <summary>
    /// Plain: one line, <c>Succeeded 3, failed 1, total 4 in 2.31 s. Outputs in restored</c>.
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

        int skipped = Total - Succeeded - failures.Count;
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"Succeeded {Succeeded}, failed {failures.Count}, total {Total} in {elapsed.TotalSeconds:0.00} s.");
        if (cancelled && skipped > 0)
        {
            line += $" Cancelled: {skipped} not processed.";
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
        table.AddRow(failures.Count > 0 ? "[red]Failed[/]" : "Failed", failures.Count.ToString(CultureInfo.InvariantCulture));
        if (cancelled && skipped > 0)
        {
            table.AddRow("[yellow]Not processed[/]", skipped.ToString(CultureInfo.InvariantCulture));
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
