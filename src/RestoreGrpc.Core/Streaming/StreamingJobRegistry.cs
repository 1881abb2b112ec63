using System.Collections.Concurrent;
using System.Security.Cryptography;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Streaming;

/// <summary>
/// Stream jobs by id. A job stays resumable for <see cref="StreamingOptions.ResumeWindow"/> after its stream ends;
/// expired jobs are dropped whenever a job is created or looked up, and the number of jobs is bounded.
/// </summary>
public sealed class StreamingJobRegistry
{
    private readonly ConcurrentDictionary<string, StreamingJob> _jobs = new(StringComparer.Ordinal);
    private readonly StreamingOptions _options;
    private readonly TimeProvider _time;

    public StreamingJobRegistry(StreamingOptions options, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    public int Count => _jobs.Count;

    internal DateTimeOffset Now => _time.GetUtcNow();

    /// <exception cref="QueueFullException">As many jobs as allowed are attached or resumable.</exception>
    internal StreamingJob Create(IUpscaleModel model, TilePlan plan, StreamPixelFormat format)
    {
        Sweep();
        if (_jobs.Count >= _options.MaxJobs)
        {
            throw new QueueFullException(
                $"the server holds {_jobs.Count} stream jobs, its limit; retry when one finishes or expires",
                TimeSpan.FromSeconds(30));
        }

        // 128 random bits: a job id is the only thing that lets a stream resume a job.
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var job = new StreamingJob(id, model, plan, format, Now);
        _jobs[id] = job;
        return job;
    }

    /// <exception cref="StreamJobNotFoundException">Unknown or expired.</exception>
    public StreamingJob Find(string id)
    {
        Sweep();
        return _jobs.TryGetValue(id, out StreamingJob? job) ? job : throw new StreamJobNotFoundException(id, _options.ResumeWindow);
    }

    private void Sweep()
    {
        DateTimeOffset now = Now;
        foreach ((string id, StreamingJob job) in _jobs)
        {
            if (job.IsExpired(now, _options.ResumeWindow))
            {
                _jobs.TryRemove(id, out _);
            }
        }
    }
}
