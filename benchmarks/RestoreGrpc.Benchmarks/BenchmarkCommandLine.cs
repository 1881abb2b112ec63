using System.CommandLine;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// Parses the benchmark's command line with System.CommandLine, as the <c>restore</c> CLI does: the mode is the first
/// mode flag found (<see cref="BenchmarkModes.All"/>), the unary benchmark when there is none, and that mode's command
/// parses the whole line, so an unknown option or a bad value stops with a message instead of being ignored.
/// <c>[diagram]</c> before the arguments shows how a line parses without running it.
/// </summary>
internal static class BenchmarkCommandLine
{
    public static Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        RootCommand command = BenchmarkModes.All.FirstOrDefault(mode => args.Contains(mode.Flag)) is { Create: { } create }
            ? create()
            : BenchmarkModes.Unary();
        command.Directives.Add(new DiagramDirective());
        return command.Parse(args).InvokeAsync();
    }
}
