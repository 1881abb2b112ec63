namespace RestoreGrpc.Core.Errors;

/// <summary>The model exists in the catalog but cannot run (file missing, download or load failed).</summary>
public sealed class ModelUnavailableException : RestoreException
{
    public ModelUnavailableException(string name, string reason, Exception? innerException = null)
        : base($"model '{name}' is unavailable: {reason}", innerException)
    {
        Name = name;
    }

    private ModelUnavailableException(string message, string name)
        : base(message)
    {
        Name = name;
    }

    /// <summary>No model of a task can run (e.g. no face-restoration file): <paramref name="message"/> says which
    /// entries are missing and how to provide them; <paramref name="task"/> (e.g. <c>face-restoration</c>) is the name.</summary>
    public static ModelUnavailableException ForTask(string task, string message) => new(message, task);

    public string Name { get; }
}
