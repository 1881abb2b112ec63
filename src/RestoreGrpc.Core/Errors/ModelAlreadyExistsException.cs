namespace RestoreGrpc.Core.Errors;

/// <summary>A model added at run time has the name of a catalog entry.</summary>
public sealed class ModelAlreadyExistsException : RestoreException
{
    public ModelAlreadyExistsException(string name)
        : base($"model '{name}' is already in the catalog; choose another name, or ReloadModel to load a new version of it")
    {
        Name = name;
    }

    public string Name { get; }
}
