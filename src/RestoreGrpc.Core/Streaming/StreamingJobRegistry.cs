using System.Collections.Concurrent;
using System.Security.Cryptography;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Streaming;

/// <summary>
/// Stream jobs by id. Only live streams count against the caps: at most <see cref="StreamingOptions.MaxJobs"/> streams
/// attached at once, and <see cref="StreamingOptions.MaxJobsPerClient"/> per client (tenant, else peer). A job stays
/// resumable for <see cref="StreamingOptions.ResumeWindow"/> after its stream ends, or only
/// <see cref="StreamingOptions.UnstartedJobWindow"/> if it never sent a tile back; at most <c>MaxJobs</c> detached
/// jobs are kept (the longest detached goes first). Expired jobs are dropped whenever a job is created, looked up or
/// attached.
/// </summary>
public sealed class StreamingJobRegistry
{
    private readonly ConcurrentDictionary<string, StreamingJob> _jobs = new(StringComparer.Ordinal);
    private readonly Lock _admission = new();
    private readonly StreamingOptions _options;
    private readonly TimeProvider _time;

    public StreamingJobRegistry(StreamingOptions options, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Jobs held (attached or resumable).</summary>
    public int Count => _jobs.Count;

    internal DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>A new job, not yet attached (see <see cref="Attach"/>).</summary>
    internal StreamingJob Create(ModelLease model, TilePlan plan, StreamPixelFormat format, string client, string owner = "")
    {
        Sweep();
        lock (_admission)
        {
            // Detached jobs beyond the bound go, the longest detached first: resumability is best effort, live streams
            // are not.
            StreamingJob[] detached = [.. _jobs.Values.Where(j => !j.IsAttached).OrderBy(j => j.DetachedAt)];
            for (int i = 0; i <= detached.Length - Math.Max(1, _options.MaxJobs); i++)
            {
                Remove(detached[i].Id);
            }

            // 128 random bits: a job id is the only thing that lets a stream resume a job.
            string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var job = new StreamingJob(id, model, plan, format, client, Now, owner);
            _jobs[id] = job;
            return job;
        }
    }

    /// <summary>Attaches a stream to a job, within the caps on live streams; a stream already attached to the job is
    /// taken over (it is not counted twice).</summary>
    /// <exception cref="QueueFullException">As many streams as allowed are live, in all or for this client.</exception>
    internal CancellationTokenSource Attach(StreamingJob job)
    {
        Sweep();
        lock (_admission)
        {
            if (!job.IsAttached)
            {
                int live = 0, mine = 0;
                foreach (StreamingJob other in _jobs.Values)
                {
                    if (other.IsAttached)
                    {
                        live++;
                        mine += other.Client == job.Client ? 1 : 0;
                    }
                }

                if (live >= _options.MaxJobs)
                {
                    throw new QueueFullException(
                        $"the server has {live} streams open, its limit; retry when one finishes",
                        TimeSpan.FromSeconds(5));
                }

                if (mine >= _options.MaxJobsPerClient)
                {
                    throw new QueueFullException(
                        $"this client has {mine} streams open, its limit; retry when one finishes",
                        TimeSpan.FromSeconds(5));
                }
            }

            return job.Attach();
        }
    }

    /// <exception cref="StreamJobNotFoundException">Unknown or expired.</exception>
    public StreamingJob Find(string id)
    {
        Sweep();
        return _jobs.TryGetValue(id, out StreamingJob? job) ? job : throw new StreamJobNotFoundException(id, _options.ResumeWindow);
    }

    /// <summary>The job, when <paramref name="tenant"/> owns it: another tenant's job is answered exactly like an
    /// unknown id, so a leaked or guessed id neither resumes nor reveals someone else's job.</summary>
    /// <exception cref="StreamJobNotFoundException">Unknown, expired, or owned by another tenant.</exception>
    public StreamingJob Find(string id, string tenant)
    {
        StreamingJob job = Find(id);
        return job.Owner.Length == 0 || string.Equals(job.Owner, tenant, StringComparison.Ordinal)
            ? job
            : throw new StreamJobNotFoundException(id, _options.ResumeWindow);
    }

    /// <summary>Forgets a job no stream was ever attached to (its header was refused).</summary>
    internal void Forget(StreamingJob job)
    {
        if (!job.IsAttached && job.SentCount == 0)
        {
            Remove(job.Id);
        }
    }

    /// <summary>Drops a job and releases its model lease.</summary>
    private void Remove(string id)
    {
        if (_jobs.TryRemove(id, out StreamingJob? job))
        {
            job.ReleaseModel();
        }
    }

    private void Sweep()
    {
        DateTimeOffset now = Now;
        foreach ((string id, StreamingJob job) in _jobs)
        {
            if (job.IsExpired(now, _options.ResumeWindow, _options.UnstartedJobWindow))
            {
                Remove(id);
            }
        }
    }
}
