namespace RestoreGrpc.Core.Models;

/// <summary>Mutable state of one catalog entry; guarded by the catalog.</summary>
internal sealed class CatalogEntry
{
    public CatalogEntry(ModelDescriptor descriptor, string? path, IUpscaleModel? builtin)
    {
        Descriptor = descriptor;
        Path = path;
        if (builtin is not null)
        {
            Loading = Task.FromResult(builtin);
            State = ModelState.Ready;
            Detail = "built in";
            ExecutionProvider = builtin.ExecutionProvider;
        }
    }

    public ModelDescriptor Descriptor { get; }

    /// <summary>Resolved file path; null for built-in models.</summary>
    public string? Path { get; }

    public bool Builtin => Path is null;

    public Task<IUpscaleModel>? Loading { get; set; }

    public volatile ModelState State;

    public volatile string Detail = string.Empty;

    public volatile string ExecutionProvider = string.Empty;
}
