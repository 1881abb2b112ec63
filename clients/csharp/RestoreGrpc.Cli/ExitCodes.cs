namespace RestoreGrpc.Cli;

/// <summary>Process exit codes of the <c>restore</c> tool.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Success = 0;

    /// <summary>The command ran but something failed (a file, a request, the server).</summary>
    public const int Failure = 1;

    /// <summary>Bad command line, bad preset, or nothing to do (no inputs found).</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
