using RestoreGrpc.Core.Restoration;

namespace RestoreGrpc.Core.Streaming;

/// <summary>What a stream's header asks for.</summary>
/// <param name="Settings">Model, tiling, priority and tenant; task and scale are checked for streaming.</param>
/// <param name="Width">Input width; 0 on a resume that does not repeat it.</param>
/// <param name="Height">Input height; 0 on a resume that does not repeat it.</param>
/// <param name="Format">Raw tile layout; null on a resume that does not repeat it (new jobs: RGB 8-bit).</param>
/// <param name="JobId">The job to resume; null starts a new one.</param>
/// <param name="HeldTiles">Tiles the client already holds (resume).</param>
/// <param name="Client">Who is asking (its tenant, else its peer address), for the per-client cap on open streams.</param>
public sealed record StreamOpenRequest(
    RestoreSettings Settings,
    int Width,
    int Height,
    StreamPixelFormat? Format,
    string? JobId,
    IReadOnlyCollection<int> HeldTiles,
    string Client = "");
