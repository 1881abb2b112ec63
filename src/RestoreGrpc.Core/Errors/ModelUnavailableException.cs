namespace RestoreGrpc.Core.Errors;

/// <summary>The model exists in the catalog but cannot run (file missing, download or load failed).</summary>
public sealed class ModelUnavailableException : RestoreException
{
    public ModelUnavailableException(string name, string reason, Exception? innerException = null)
        : base($"model '{name}' is unavailable: {reason}", innerException)
    {
        Name = name;
    }

    public string Name { get; }
}
