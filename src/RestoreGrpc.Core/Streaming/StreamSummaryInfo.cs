using RestoreGrpc.Core.Restoration;

namespace RestoreGrpc.Core.Streaming;

/// <summary>How one stream of a job went.</summary>
/// <param name="TilesComputed">Tiles this stream computed; the rest of the plan was held from earlier streams.</param>
/// <param name="PeakJobBytes">Most bytes of tile tensors the job held at once, over all its streams.</param>
public sealed record StreamSummaryInfo(string JobId, int TileCount, int TilesComputed, int OutputWidth, int OutputHeight, StageTimings Timings, long PeakJobBytes);
