using RestoreGrpc.Core.Restoration;

namespace RestoreGrpc.Core.Streaming;

/// <summary>What a stream's header asks for.</summary>
/// <param name="Settings">Model, tiling, priority and tenant; task and scale are checked for streaming.</param>
/// <param name="Width">Input width; 0 on a resume that does not repeat it.</param>
/// <param name="Height">Input height; 0 on a resume that does not repeat it.</param>
/// <param name="Format">Raw tile layout; null on a resume that does not repeat it (new jobs: RGB 8-bit).</param>
/// <param name="JobId">The job to resume; null starts a new one. A job this server does not know is rebuilt when
/// the header repeats the image size (<see cref="CanRebuild"/>): another instance started it.</param>
/// <param name="HeldTiles">Tiles the client already holds (resume).</param>
/// <param name="Client">Who is asking (its tenant, else its peer address), for the per-client cap on open streams.</param>
public sealed record StreamOpenRequest(
    RestoreSettings Settings,
    int Width,
    int Height,
    StreamPixelFormat? Format,
    string? JobId,
    IReadOnlyCollection<int> HeldTiles,
    string Client = "")
{
    /// <summary>Whether a resume of a job this server does not know can rebuild it from this header: it repeats the
    /// image size (the plan is deterministic from the header, so the held tiles keep their meaning).</summary>
    public bool CanRebuild => JobId is not null && Width > 0 && Height > 0;
}
