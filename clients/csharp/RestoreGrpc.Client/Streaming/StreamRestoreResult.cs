namespace RestoreGrpc.Client.Streaming;

/// <summary>How a streamed restoration went.</summary>
/// <param name="TilesComputed">Tiles the last stream computed (the others were held from earlier streams).</param>
/// <param name="Reconnects">Times the stream was resumed after a lost connection.</param>
/// <param name="PeakServerJobBytes">Most bytes the job held on the server at once.</param>
/// <param name="Elapsed">Wall time, reconnects included.</param>
/// <param name="ServerInference">Model time of the last stream's tiles (each tile's share of its batches).</param>
public sealed record StreamRestoreResult(
    string JobId,
    string Model,
    int OutputWidth,
    int OutputHeight,
    int TileCount,
    int TilesComputed,
    int Reconnects,
    long PeakServerJobBytes,
    TimeSpan Elapsed,
    TimeSpan ServerInference);
