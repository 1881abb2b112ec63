namespace RestoreGrpc.Core.Errors;

/// <summary>Base of the errors a request can cause; hosts map each kind to a protocol status.</summary>
public abstract class RestoreException : Exception
{
    protected RestoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
