namespace RestoreGrpc.Cli;

/// <summary>A problem with what the user asked for (bad preset, missing input); reported as exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
