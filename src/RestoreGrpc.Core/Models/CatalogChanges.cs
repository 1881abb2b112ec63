namespace RestoreGrpc.Core.Models;

/// <summary>What a configuration change did to the catalog, by entry name.</summary>
public sealed record CatalogChanges(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Reloaded);
