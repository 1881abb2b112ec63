using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Presets;

/// <summary>
/// The restore options given explicitly on a command line. Null means "not given", so a preset's value (or the
/// server's default) stays in force.
/// </summary>
internal sealed record RestoreOptionOverrides
{
    public string? Model { get; init; }

    public double? Scale { get; init; }

    public int? TileSize { get; init; }

    public int? TileMargin { get; init; }

    public OutputFormat? Format { get; init; }

    public int? Quality { get; init; }

    public bool? StripMetadata { get; init; }

    public bool? Lossless { get; init; }

    public string? Background { get; init; }

    public TimeSpan? Timeout { get; init; }

    public RestoreMode? Mode { get; init; }

    public double? FaceBlend { get; init; }

    public bool? ColorFidelity { get; init; }

    public RestorePriority? Priority { get; init; }

    /// <summary>The <paramref name="baseline"/> (e.g. a preset) with every given value replacing its own.</summary>
    public RestoreOptions ApplyTo(RestoreOptions? baseline)
    {
        RestoreOptions b = baseline ?? new RestoreOptions();
        return b with
        {
            Model = Model ?? b.Model,
            Scale = Scale ?? b.Scale,
            TileSize = TileSize ?? b.TileSize,
            TileMargin = TileMargin ?? b.TileMargin,
            Format = Format ?? b.Format,
            Quality = Quality ?? b.Quality,
            StripMetadata = StripMetadata ?? b.StripMetadata,
            Lossless = Lossless ?? b.Lossless,
            Background = Background ?? b.Background,
            Timeout = Timeout ?? b.Timeout,
            Mode = Mode ?? b.Mode,
            FaceBlend = FaceBlend ?? b.FaceBlend,
            ColorFidelity = ColorFidelity ?? b.ColorFidelity,
            Priority = Priority ?? b.Priority,
        };
    }
}
