using Spectre.Console;

namespace RestoreGrpc.Cli.Output;

/// <summary>
/// Where the CLI writes. Interactive (stdout is a terminal) gets Spectre.Console live progress and colour;
/// otherwise plain lines go to <see cref="Out"/> and <see cref="Error"/>, and tables render without ANSI codes.
/// </summary>
internal sealed class CliConsole
{
    /// <summary>Width used to render tables when stdout is not a terminal.</summary>
    public const int NonInteractiveWidth = 160;

    public CliConsole(TextWriter stdout, TextWriter stderr, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        Out = TextWriter.Synchronized(stdout);
        Error = TextWriter.Synchronized(stderr);
        Interactive = interactive;
        if (interactive)
        {
            Ansi = AnsiConsole.Console;
        }
        else
        {
            Ansi = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(Out),
            });
            Ansi.Profile.Width = NonInteractiveWidth;
        }
    }

    /// <summary>Standard output (thread-safe).</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error (thread-safe).</summary>
    public TextWriter Error { get; }

    /// <summary>Spectre console over standard output.</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>True when stdout is a terminal that can show live progress.</summary>
    public bool Interactive { get; }

    /// <summary>True when <paramref name="stdout"/> is the process's own, unredirected terminal.</summary>
    public static bool IsTerminal(TextWriter stdout) =>
        ReferenceEquals(stdout, Console.Out)
        && !Console.IsOutputRedirected
        && AnsiConsole.Profile.Capabilities.Interactive;
}
