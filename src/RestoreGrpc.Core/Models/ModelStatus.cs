namespace RestoreGrpc.Core.Models;

/// <summary>A snapshot of one catalog entry, for listings.</summary>
/// <param name="Serving">A loaded session takes requests without waiting (per-model readiness). True for a model
/// whose reload failed while its previous session keeps serving.</param>
/// <param name="Precision">Precision of the serving session: "fp32" or "fp16" (empty when none has loaded, or built in).</param>
public sealed record ModelStatus(
    ModelDescriptor Descriptor,
    ModelState State,
    string Detail,
    string ExecutionProvider,
    bool IsDefault,
    bool Builtin,
    int TileSize,
    bool Serving = false,
    string Precision = "");
