using System.Text.Json.Serialization;

namespace RestoreGrpc.Client;

/// <summary>
/// What to do with an image, in the caller's terms. Every property is optional: null leaves the choice to the
/// server (its default model, the model's scale and tile size, the input's format). Serialisable as JSON presets.
/// </summary>
public sealed record RestoreOptions
{
    /// <summary>Catalog model name; null for the server's default.</summary>
    public string? Model { get; init; }

    /// <summary>Final output scale relative to the input (e.g. 2, 3.5, 4); null for the model's native scale.</summary>
    public double? Scale { get; init; }

    /// <summary>Core tile edge in input pixels; null for the model's default.</summary>
    public int? TileSize { get; init; }

    /// <summary>Context margin around each tile in input pixels; null for the model's default.</summary>
    public int? TileMargin { get; init; }

    /// <summary>Output format; null keeps the input's format.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<OutputFormat>))]
    public OutputFormat? Format { get; init; }

    /// <summary>JPEG / WebP quality 1..100; null for the server default.</summary>
    public int? Quality { get; init; }

    /// <summary>Drop ICC profile and EXIF from the output.</summary>
    public bool StripMetadata { get; init; }

    /// <summary>
    /// WebP only: lossless. Without it WebP output is lossy at <see cref="Quality"/>, whatever the input's format.
    /// </summary>
    public bool Lossless { get; init; }

    /// <summary>"#RRGGBB" that transparent pixels are composited over for JPEG output; null for white.</summary>
    public string? Background { get; init; }

    /// <summary>What to restore; null for super-resolution.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<RestoreMode>))]
    public RestoreMode? Mode { get; init; }

    /// <summary>Weight of restored faces 0..1; null for 1.</summary>
    public double? FaceBlend { get; init; }

    /// <summary>Keep the input faces' low-frequency colour under the restored detail.</summary>
    public bool ColorFidelity { get; init; }

    /// <summary>Scheduling class; null for interactive.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<RestorePriority>))]
    public RestorePriority? Priority { get; init; }

    /// <summary>Per-call deadline; null uses <see cref="RestoreClientOptions.DefaultTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }
}
