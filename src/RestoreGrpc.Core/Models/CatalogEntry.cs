namespace RestoreGrpc.Core.Models;

/// <summary>Mutable state of one catalog entry; guarded by the catalog.</summary>
internal sealed class CatalogEntry
{
    private volatile Source _source;
    private ModelSession? _current;

    /// <param name="configured">From the configuration (false: added at run time through the admin API).</param>
    public CatalogEntry(ModelDescriptor descriptor, string? path, IUpscaleModel? builtin, bool configured = true)
    {
        _source = new Source(descriptor, path);
        Configured = configured;
        Builtin = path is null;
        if (builtin is not null)
        {
            _current = new ModelSession(builtin, "built in");
            State = ModelState.Ready;
            Detail = "built in";
            ExecutionProvider = builtin.ExecutionProvider;
        }
    }

    public ModelDescriptor Descriptor => _source.Descriptor;

    /// <summary>Resolved file path; null for built-in models.</summary>
    public string? Path => _source.Path;

    public bool Builtin { get; }

    public bool Configured { get; }

    /// <summary>The session new requests get; null when none is loaded.</summary>
    public ModelSession? Current => Volatile.Read(ref _current);

    /// <summary>The first load (at start-up or on first use); later loads are admin operations.</summary>
    public Task? Loading { get; set; }

    /// <summary>Loads, reloads and unloads of this entry happen one at a time.</summary>
    public SemaphoreSlim Changes { get; } = new(1, 1);

    public volatile ModelState State;

    public volatile string Detail = string.Empty;

    public volatile string ExecutionProvider = string.Empty;

    /// <summary>Precision of the serving session ("fp32", "fp16"); empty before a load and for built-in models.</summary>
    public volatile string Precision = string.Empty;

    /// <summary>A changed configuration: the next load reads the new descriptor.</summary>
    public void Reconfigure(ModelDescriptor descriptor, string path) => _source = new Source(descriptor, path);

    /// <summary>Makes <paramref name="session"/> (or none) the one new requests get.</summary>
    /// <returns>The session it replaces, for the caller to retire.</returns>
    public ModelSession? Swap(ModelSession? session) => Interlocked.Exchange(ref _current, session);

    private sealed record Source(ModelDescriptor Descriptor, string? Path);
}
