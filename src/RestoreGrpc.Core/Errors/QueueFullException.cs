namespace RestoreGrpc.Core.Errors;

/// <summary>Admission control refused work: the queue is at its bound. Retry after <see cref="RetryAfter"/>.</summary>
public sealed class QueueFullException : RestoreException
{
    public QueueFullException(string message, TimeSpan retryAfter)
        : base(message) => RetryAfter = retryAfter;

    public TimeSpan RetryAfter { get; }
}
