namespace RestoreGrpc.Cli.Commands;

/// <summary>What <c>restore upscale</c> does when an output file is already there (from an earlier run).</summary>
internal enum ExistingOutputPolicy
{
    /// <summary>Default: leave it alone and report the input as failed, naming the switches below.</summary>
    Refuse,

    /// <summary><c>--overwrite</c>: replace it.</summary>
    Overwrite,

    /// <summary><c>--skip-existing</c>: leave it and count the input as skipped (no request when the name is known up front).</summary>
    Skip,
}
