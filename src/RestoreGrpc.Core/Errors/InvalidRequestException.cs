namespace RestoreGrpc.Core.Errors;

/// <summary>The request itself is wrong (bad image, bad option): retrying it unchanged cannot succeed.</summary>
public class InvalidRequestException : RestoreException
{
    /// <param name="field">Path of the offending request field, e.g. <c>image</c> or <c>options.scale</c>.</param>
    /// <param name="description">What is wrong, for a person.</param>
    public InvalidRequestException(string field, string description, Exception? innerException = null)
        : base($"{field}: {description}", innerException)
    {
        Field = field;
        Description = description;
    }

    public string Field { get; }

    public string Description { get; }
}
