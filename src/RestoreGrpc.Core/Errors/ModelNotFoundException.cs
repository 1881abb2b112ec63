namespace RestoreGrpc.Core.Errors;

/// <summary>No catalog entry has the requested name.</summary>
public sealed class ModelNotFoundException : RestoreException
{
    public ModelNotFoundException(string name, IEnumerable<string> known)
        : base($"model '{name}' is not in the catalog (known: {string.Join(", ", known)})")
    {
        Name = name;
    }

    public string Name { get; }
}
