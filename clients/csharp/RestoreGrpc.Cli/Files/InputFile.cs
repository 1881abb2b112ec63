namespace RestoreGrpc.Cli.Files;

/// <summary>
/// One image to restore. <paramref name="RelativeDirectory"/> is where it sits below the folder it was found
/// in ("" for files named directly or found at a folder's top level); outputs mirror it.
/// </summary>
internal sealed record InputFile(string FullPath, string RelativeDirectory)
{
    /// <summary>File name without extension.</summary>
    public string Stem => Path.GetFileNameWithoutExtension(FullPath);

    /// <summary>Extension with its dot, as on disk.</summary>
    public string Extension => Path.GetExtension(FullPath);
}
