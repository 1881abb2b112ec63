namespace RestoreGrpc.Cli.Commands;

/// <summary>
/// An output written through a temporary <c>.partial</c> file next to it: moved into place by <see cref="Commit"/>
/// (replacing an existing output only under <c>--overwrite</c>), deleted on dispose when not committed, so an
/// interrupted or failed write leaves no half image.
/// </summary>
internal sealed class PartialOutput(ExistingOutputPolicy existing) : IDisposable
{
    private string? _finalPath;
    private string? _partialPath;

    /// <summary>Creates <paramref name="finalPath"/>'s folder and returns the temporary path to write.</summary>
    public string Begin(string finalPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);
        _finalPath = finalPath;
        _partialPath = finalPath + ".partial";
        return _partialPath;
    }

    public void Commit()
    {
        if (_partialPath is null || _finalPath is null)
        {
            throw new InvalidOperationException("nothing was written");
        }

        File.Move(_partialPath, _finalPath, overwrite: existing == ExistingOutputPolicy.Overwrite);
        _partialPath = null;
    }

    public void Dispose()
    {
        if (_partialPath is null)
        {
            return;
        }

        try
        {
            File.Delete(_partialPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover .partial file is harmless.
        }
    }
}
