using RestoreGrpc.Core.Errors;

namespace RestoreGrpc.Core.Streaming;

/// <summary>A resume named a job this server does not have (unknown, or its resume window has passed).</summary>
public sealed class StreamJobNotFoundException : RestoreException
{
    public StreamJobNotFoundException(string jobId, TimeSpan resumeWindow)
        : base($"stream job '{jobId}' is unknown or expired (jobs stay resumable for {resumeWindow.TotalSeconds:F0} s after their stream ends); start a new stream")
    {
        JobId = jobId;
    }

    public string JobId { get; }
}
