namespace RestoreGrpc.Core.Restoration;

/// <summary>What a restoration would cost, planned without running it.</summary>
/// <param name="Batches">Model runs if the request's tiles batch only with each other.</param>
/// <param name="MemoryBytes">Peak request memory: decoded input, assembled output, encoded output, tile tensors in flight.</param>
/// <param name="EstimatedInference">From the measured cost per input pixel of this model; null before it has run.</param>
public sealed record RestoreEstimate(
    string Model,
    int ModelScale,
    int OutputWidth,
    int OutputHeight,
    int TileCount,
    int TileSize,
    int TileMargin,
    int WindowWidth,
    int WindowHeight,
    int Batches,
    long MemoryBytes,
    TimeSpan? EstimatedInference,
    bool ExceedsUnaryLimits);
