using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Files;

/// <summary>What the command-line paths expanded to.</summary>
/// <param name="Files">Images to restore, without duplicates, in a stable order.</param>
/// <param name="Missing">Paths that name neither a file nor a folder.</param>
/// <param name="Unsupported">Files named directly whose extension is not a supported image format.</param>
internal sealed record InputDiscoveryResult(
    IReadOnlyList<InputFile> Files,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unsupported);

/// <summary>Expands files and folders given on the command line into the images to restore.</summary>
internal static class InputDiscovery
{
    /// <summary>
    /// Files are taken as given (when their extension is a supported image format); folders contribute their
    /// supported images, sorted, descending into subfolders when <paramref name="recursive"/>. Anything under
    /// <paramref name="excludeDirectory"/> (the output folder) is skipped, so earlier results are not restored again.
    /// </summary>
    public static InputDiscoveryResult Discover(IEnumerable<string> paths, bool recursive, string? excludeDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        string? excluded = excludeDirectory is null ? null : WithTrailingSeparator(Path.GetFullPath(excludeDirectory));
        var files = new List<InputFile>();
        var missing = new List<string>();
        var unsupported = new List<string>();
        var seen = new HashSet<string>(PathComparer);

        foreach (string path in paths)
        {
            if (File.Exists(path))
            {
                string full = Path.GetFullPath(path);
                if (!OutputFormats.IsSupportedImagePath(full))
                {
                    unsupported.Add(path);
                }
                else if (seen.Add(full))
                {
                    files.Add(new InputFile(full, string.Empty));
                }
            }
            else if (Directory.Exists(path))
            {
                string root = Path.GetFullPath(path);
                foreach (InputFile file in EnumerateFolder(root, recursive))
                {
                    if (excluded is not null && file.FullPath.StartsWith(excluded, PathComparison))
                    {
                        continue;
                    }

                    if (seen.Add(file.FullPath))
                    {
                        files.Add(file);
                    }
                }
            }
            else
            {
                missing.Add(path);
            }
        }

        return new InputDiscoveryResult(files, missing, unsupported);
    }

    /// <summary>How file paths compare on this platform.</summary>
    internal static StringComparer PathComparer { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private static List<InputFile> EnumerateFolder(string root, bool recursive)
    {
        var enumeration = new EnumerationOptions
        {
            RecurseSubdirectories = recursive,
            IgnoreInaccessible = true,
            MatchCasing = MatchCasing.CaseInsensitive,
        };
        return Directory.EnumerateFiles(root, "*", enumeration)
            .Where(OutputFormats.IsSupportedImagePath)
            .Select(file => new InputFile(file, RelativeDirectoryOf(root, file)))
            .OrderBy(file => file.RelativeDirectory, StringComparer.Ordinal)
            .ThenBy(file => Path.GetFileName(file.FullPath), StringComparer.Ordinal)
            .ToList();
    }

    private static string RelativeDirectoryOf(string root, string file)
    {
        string relative = Path.GetRelativePath(root, Path.GetDirectoryName(file) ?? root);
        return relative == "." ? string.Empty : relative;
    }

    private static string WithTrailingSeparator(string path) =>
        Path.EndsInDirectorySeparator(path) ? path : path + Path.DirectorySeparatorChar;
}
