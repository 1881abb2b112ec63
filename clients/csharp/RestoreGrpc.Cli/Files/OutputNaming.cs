using System.Globalization;

namespace RestoreGrpc.Cli.Files;

/// <summary>
/// Chooses where each restored image is written: <c>&lt;output&gt;/&lt;relative dir&gt;/&lt;stem&gt;_x&lt;scale&gt;&lt;ext&gt;</c>, or
/// <c>&lt;stem&gt;_&lt;yyyyMMdd-HHmmss&gt;&lt;ext&gt;</c> (the run's start time) with timestamp names.
/// <list type="bullet">
/// <item>Inputs in the same relative folder that share a stem (<c>a.png</c>, <c>a.jpg</c>) get their source extension
/// in the stem (<c>a_png</c>, <c>a_jpg</c>); those still equal (same name from two folders) get <c>_2</c>, <c>_3</c>…
/// Stems are settled up front from the input order, so names do not depend on which request finishes first.</item>
/// <item>A path is never handed out twice in a run, and never equals an input file. Files left by earlier runs are
/// the caller's business (see <c>ExistingOutputPolicy</c>).</item>
/// </list>
/// Thread-safe.
/// </summary>
internal sealed class OutputNamer
{
    /// <summary>Format of timestamp names.</summary>
    public const string TimestampFormat = "yyyyMMdd-HHmmss";

    private readonly string _outputDirectory;
    private readonly string? _timestamp;
    private readonly Dictionary<string, string> _stems = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inputs = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _reserved = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    /// <param name="outputDirectory">Root of the outputs.</param>
    /// <param name="inputs">Every input of the run, in order.</param>
    /// <param name="timestamp">Run start time for timestamp names; null for <c>_x&lt;scale&gt;</c> names.</param>
    public OutputNamer(string outputDirectory, IReadOnlyList<InputFile> inputs, DateTime? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        ArgumentNullException.ThrowIfNull(inputs);
        _outputDirectory = Path.GetFullPath(outputDirectory);
        _timestamp = timestamp?.ToString(TimestampFormat, CultureInfo.InvariantCulture);
        foreach (InputFile input in inputs)
        {
            _inputs.Add(input.FullPath);
        }

        AssignStems(inputs);
    }

    /// <summary>The collision-free stem chosen for <paramref name="input"/>.</summary>
    public string StemFor(InputFile input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return _stems.TryGetValue(input.FullPath, out string? stem) ? stem : input.Stem;
    }

    /// <summary>
    /// Reserves and returns the output path for <paramref name="input"/>.
    /// </summary>
    /// <param name="input">The input image.</param>
    /// <param name="scale">The scale applied (for the name); null or not positive writes <c>_restored</c>.</param>
    /// <param name="extension">Output extension, with or without its dot.</param>
    public string Reserve(InputFile input, double? scale, string extension)
    {
        lock (_lock)
        {
            string candidate = Peek(input, scale, extension);
            _reserved.Add(candidate);
            return candidate;
        }
    }

    /// <summary>The path <see cref="Reserve"/> would hand out now, without reserving it.</summary>
    public string Peek(InputFile input, double? scale, string extension)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(extension);
        string ext = extension.Length == 0 || extension[0] == '.' ? extension : "." + extension;
        string suffix = _timestamp ?? (scale is > 0 ? "x" + FormatScale(scale.Value) : "restored");
        string directory = input.RelativeDirectory.Length == 0
            ? _outputDirectory
            : Path.Combine(_outputDirectory, input.RelativeDirectory);
        string baseName = $"{StemFor(input)}_{suffix}";

        lock (_lock)
        {
            string candidate = Path.Combine(directory, baseName + ext);
            for (int n = 2; _inputs.Contains(candidate) || _reserved.Contains(candidate); n++)
            {
                candidate = Path.Combine(directory, $"{baseName}_{n}{ext}");
            }

            return candidate;
        }
    }

    /// <summary>Scale as written in names: invariant, at most three decimals (4, 2.5, 1.333).</summary>
    public static string FormatScale(double scale) => scale.ToString("0.###", CultureInfo.InvariantCulture);

    private void AssignStems(IReadOnlyList<InputFile> inputs)
    {
        // Names compare case-insensitively so outputs stay distinct on any file system.
        foreach (var folder in inputs.GroupBy(i => i.RelativeDirectory, StringComparer.OrdinalIgnoreCase))
        {
            var groups = folder.GroupBy(i => i.Stem, StringComparer.OrdinalIgnoreCase).ToList();
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

            // Stems held by a single input keep their name and take precedence.
            foreach (var group in groups.Where(g => g.Count() == 1))
            {
                InputFile only = group.Single();
                _stems[only.FullPath] = only.Stem;
                used.Add(only.Stem);
            }

            foreach (var group in groups.Where(g => g.Count() > 1))
            {
                bool extensionsDiffer = group
                    .Select(i => i.Extension)
                    .Distinct(StringComparer.OrdinalIgnoreCase)
                    .Skip(1)
                    .Any();
                foreach (InputFile input in group)
                {
                    string wanted = extensionsDiffer
                        ? $"{input.Stem}_{input.Extension.TrimStart('.').ToLowerInvariant()}"
                        : input.Stem;
                    string stem = wanted;
                    for (int n = 2; !used.Add(stem); n++)
                    {
                        stem = $"{wanted}_{n}";
                    }

                    _stems[input.FullPath] = stem;
                }
            }
        }
    }
}
