using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Presets;

/// <summary>
/// Presets: a <see cref="RestoreOptions"/> stored as camelCase JSON, e.g.
/// <c>{ "model": "realesrgan-x4plus", "scale": 2, "format": "Webp", "quality": 90, "timeout": "00:01:00" }</c>.
/// Unknown properties are rejected so that typos do not pass silently.
/// </summary>
internal static class PresetFile
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static string Serialize(RestoreOptions options) => JsonSerializer.Serialize(options, JsonOptions);

    /// <summary>Parses and validates preset JSON; <see cref="UsageException"/> when it is not a valid preset.</summary>
    public static RestoreOptions Deserialize(string json, string source = "preset")
    {
        RestoreOptions? options;
        try
        {
            options = JsonSerializer.Deserialize<RestoreOptions>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{source} is not a valid preset: {ex.Message}", ex);
        }

        if (options is null)
        {
            throw new UsageException($"{source} is not a valid preset: it holds null.");
        }

        IReadOnlyList<string> problems = Validate(options);
        if (problems.Count > 0)
        {
            throw new UsageException($"{source} is not a valid preset: {string.Join("; ", problems)}");
        }

        return options;
    }

    public static async Task<RestoreOptions> LoadAsync(string path, CancellationToken cancellationToken)
    {
        string json;
        try
        {
            json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"Preset file not found: {path}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read preset {path}: {ex.Message}", ex);
        }

        return Deserialize(json, path);
    }

    /// <summary>The preset at <paramref name="path"/> (none when null) with the command line's values on top.</summary>
    public static async Task<RestoreOptions> LoadAndMergeAsync(
        string? path,
        RestoreOptionOverrides overrides,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        RestoreOptions? preset = path is null ? null : await LoadAsync(path, cancellationToken).ConfigureAwait(false);
        return overrides.ApplyTo(preset);
    }

    public static async Task SaveAsync(string path, RestoreOptions options, CancellationToken cancellationToken)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(path, Serialize(options) + Environment.NewLine, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Values the server would reject (the same rules the command-line options enforce).</summary>
    public static IReadOnlyList<string> Validate(RestoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.Scale is { } scale && !(scale > 0))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"scale must be greater than 0 (got {scale})"));
        }

        if (options.TileSize is <= 0)
        {
            problems.Add($"tileSize must be greater than 0 (got {options.TileSize})");
        }

        if (options.TileMargin is < 0)
        {
            problems.Add($"tileMargin must not be negative (got {options.TileMargin})");
        }

        if (options.Quality is < 1 or > 100)
        {
            problems.Add($"quality must be 1..100 (got {options.Quality})");
        }

        if (options.FaceBlend is < 0 or > 1)
        {
            problems.Add($"faceBlend must be 0..1 (got {options.FaceBlend})");
        }

        if (options.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            problems.Add($"timeout must be positive (got {timeout})");
        }

        return problems;
    }
}
