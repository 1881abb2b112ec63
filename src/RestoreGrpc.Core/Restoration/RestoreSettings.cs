using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Faces;
using RestoreGrpc.Core.Faces.Detection;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Scheduling;

namespace RestoreGrpc.Core.Restoration;

/// <summary>What one request asks for. Null values take the model's or the input's defaults.</summary>
/// <param name="Model">Catalog name; null for the default model.</param>
/// <param name="Scale">Final scale relative to the input; null for the model's native scale.</param>
/// <param name="TileSize">Core tile edge in input pixels; null for the model default.</param>
/// <param name="TileMargin">Context margin in input pixels; null for the model default.</param>
/// <param name="Task">What to restore.</param>
/// <param name="Faces">Face options, for the face tasks.</param>
/// <param name="Priority">Scheduling class.</param>
/// <param name="Tenant">Client or tenant, for fair scheduling; empty for anonymous.</param>
public sealed record RestoreSettings(
    string? Model = null,
    double? Scale = null,
    int? TileSize = null,
    int? TileMargin = null,
    EncodeSettings? Output = null,
    RestoreTaskKind Task = RestoreTaskKind.SuperResolution,
    FaceSettings? Faces = null,
    SchedulingPriority Priority = SchedulingPriority.Interactive,
    string Tenant = "")
{
    public const double MaxScale = 16;
    public const int MinTileSize = 16;
    public const int MaxTileSize = 4096;
    public const int MaxTileMargin = 256;

    public EncodeSettings Encoding => Output ?? new EncodeSettings();

    /// <summary>Request field paths (as in the v1 API) named in validation errors.</summary>
    public static class Fields
    {
        public const string Model = "options.model";
        public const string Scale = "options.scale";
        public const string TileSize = "options.tiling.tile_size";
        public const string TileMargin = "options.tiling.tile_margin";
        public const string Quality = "options.output.quality";
        public const string Format = "options.output.format";
        public const string Background = "options.output.background";
        public const string Task = "options.task";
        public const string Priority = "options.priority";
        public const string FaceSelection = "options.faces.selection";
        public const string FaceDetector = "options.faces.detector";
        public const string FaceRestorer = "options.faces.restorer";
        public const string FaceBlend = "options.faces.blend";
        public const string FaceScoreThreshold = "options.faces.score_threshold";
        public const string FaceLandmarks = "options.faces.landmarks";
    }

    public FaceSettings FaceOptions => Faces ?? new FaceSettings();

    /// <summary>Checks ranges; throws <see cref="InvalidRequestException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (Scale is { } scale && (!double.IsFinite(scale) || scale <= 0 || scale > MaxScale))
        {
            throw new InvalidRequestException(Fields.Scale, $"must be greater than 0 and at most {MaxScale} (got {scale})");
        }

        if (TileSize is { } tile && (tile < MinTileSize || tile > MaxTileSize))
        {
            throw new InvalidRequestException(Fields.TileSize, $"must be {MinTileSize}..{MaxTileSize} pixels (got {tile})");
        }

        if (TileMargin is { } margin && (margin < 0 || margin > MaxTileMargin))
        {
            throw new InvalidRequestException(Fields.TileMargin, $"must be 0..{MaxTileMargin} pixels (got {margin})");
        }

        if (Output?.Quality is { } quality && (quality < 1 || quality > 100))
        {
            throw new InvalidRequestException(Fields.Quality, $"must be 1..100 (got {quality})");
        }

        if (Faces is { } faces)
        {
            if (!(faces.Blend >= 0 && faces.Blend <= 1))
            {
                throw new InvalidRequestException(Fields.FaceBlend, $"must be 0..1 (got {faces.Blend})");
            }

            if (faces.ScoreThreshold is { } score && !(score > 0 && score <= 1))
            {
                throw new InvalidRequestException(Fields.FaceScoreThreshold, $"must be in (0, 1] (got {score})");
            }

            if (faces.Landmarks is { } given && given.Any(points => points.Count != DetectedFace.LandmarkCount || points.Any(p => !float.IsFinite(p.X) || !float.IsFinite(p.Y))))
            {
                throw new InvalidRequestException(Fields.FaceLandmarks, "each face needs exactly 5 finite points (left eye, right eye, nose, left and right mouth corners)");
            }
        }
    }
}
