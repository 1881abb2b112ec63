using RestoreGrpc.Cli.Files;

namespace RestoreGrpc.Cli.Commands;

/// <summary>How one file's image travels to the server and back: whole (<see cref="UnaryTransfer"/>) or tile by tile
/// (<see cref="StreamedTransfer"/>). Everything else about a file is <see cref="FileUpscale"/>'s.</summary>
internal interface IFileTransfer
{
    /// <summary>The output path when it is known before any request (checked, so an existing output costs no
    /// request); null when only the server's answer names it.</summary>
    string? OutputPathBeforeRequest(InputFile file, UpscaleBatch batch);

    /// <summary>
    /// Restores <paramref name="file"/> into <paramref name="output"/> (<see cref="PartialOutput.Begin"/>) and returns
    /// the success report to make once the output is in place, or null when the output may not be written (already
    /// reported by <see cref="UpscaleBatch.MayWrite"/>).
    /// </summary>
    Task<Action<TimeSpan>?> RestoreAsync(InputFile file, UpscaleBatch batch, string? outputPath, PartialOutput output, CancellationToken cancellationToken);
}
