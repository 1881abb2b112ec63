namespace RestoreGrpc.Core.Errors;

/// <summary>The request itself is wrong (bad image, bad option): retrying it unchanged cannot succeed.</summary>
public class InvalidRequestException : RestoreException
{
    /// <param name="field">The offending part of the request.</param>
    /// <param name="description">What is wrong, for a person.</param>
    public InvalidRequestException(RequestField field, string description, Exception? innerException = null)
        : base($"{field}: {description}", innerException)
    {
        Field = field;
        Description = description;
    }

    public RequestField Field { get; }

    public string Description { get; }
}
