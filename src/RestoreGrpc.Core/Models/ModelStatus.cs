namespace RestoreGrpc.Core.Models;

/// <summary>A snapshot of one catalog entry, for listings.</summary>
public sealed record ModelStatus(
    ModelDescriptor Descriptor,
    ModelState State,
    string Detail,
    string ExecutionProvider,
    bool IsDefault,
    bool Builtin,
    int TileSize);
