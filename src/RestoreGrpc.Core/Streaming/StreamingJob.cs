using System.Collections;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Streaming;

/// <summary>
/// One streamed restoration across its streams (the first and any resumes): the plan, which tiles have been sent
/// back, which stream is attached, and the bytes its tiles hold. Holds no pixels itself, and nothing in proportion to
/// the plan until its first tile comes back (a header costs the same whatever the image size).
/// </summary>
public sealed class StreamingJob
{
    private readonly Lock _lock = new();
    private BitArray? _sent;
    private CancellationTokenSource? _attachment;
    private DateTimeOffset _detachedAt;
    private long _bytes;
    private long _peakBytes;
    private int _sentCount;

    private readonly ModelLease _model;

    internal StreamingJob(string id, ModelLease model, TilePlan plan, StreamPixelFormat format, string client, DateTimeOffset now, string owner = "")
    {
        Id = id;
        Owner = owner;
        _model = model;
        Plan = plan;
        Format = format;
        Client = client;
        _detachedAt = now;
    }

    public string Id { get; }

    /// <summary>The session the job runs on, leased until the job leaves the registry.</summary>
    public IUpscaleModel Model => _model.Model;

    public TilePlan Plan { get; }

    public StreamPixelFormat Format { get; }

    /// <summary>Releases the job's hold on its model session (the job has left the registry).</summary>
    internal void ReleaseModel() => _model.Dispose();

    /// <summary>Who opened the job (tenant or peer), for the per-client cap.</summary>
    internal string Client { get; }

    /// <summary>The tenant that opened the job; only that tenant may resume or take it over (empty: no tenant, and
    /// the job id alone is the credential).</summary>
    public string Owner { get; }

    /// <summary>Bytes of tile tensors held right now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Most bytes of tile tensors held at once.</summary>
    public long PeakBytes => Interlocked.Read(ref _peakBytes);

    /// <summary>Tiles sent back at least once, over all the job's streams.</summary>
    public int SentCount => Volatile.Read(ref _sentCount);

    /// <summary>Whether a stream is attached right now.</summary>
    internal bool IsAttached
    {
        get
        {
            lock (_lock)
            {
                return _attachment is not null;
            }
        }
    }

    internal DateTimeOffset DetachedAt
    {
        get
        {
            lock (_lock)
            {
                return _detachedAt;
            }
        }
    }

    public bool WasSent(int index)
    {
        lock (_lock)
        {
            return _sent is not null && _sent[index];
        }
    }

    internal void MarkSent(int index)
    {
        lock (_lock)
        {
            _sent ??= new BitArray(Plan.Count);
            if (!_sent[index])
            {
                _sent[index] = true;
                _sentCount++;
            }
        }
    }

    internal void AddBytes(long bytes)
    {
        long now = Interlocked.Add(ref _bytes, bytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peakBytes)) && Interlocked.CompareExchange(ref _peakBytes, now, peak) != peak)
        {
        }
    }

    /// <summary>Attaches a new stream; a stream still attached (a client that reconnected before the server noticed
    /// the old connection drop) is cancelled: the newest stream wins.</summary>
    internal CancellationTokenSource Attach()
    {
        var attachment = new CancellationTokenSource();
        CancellationTokenSource? previous;
        lock (_lock)
        {
            previous = _attachment;
            _attachment = attachment;
        }

        previous?.Cancel();
        return attachment;
    }

    internal void Detach(CancellationTokenSource attachment, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_attachment, attachment))
            {
                _attachment = null;
                _detachedAt = now;
            }
        }
    }

    /// <summary>Whether no stream is attached and the resume window has passed: <paramref name="unstartedWindow"/>
    /// for a job that never sent a tile back (nothing to resume), else <paramref name="resumeWindow"/>.</summary>
    internal bool IsExpired(DateTimeOffset now, TimeSpan resumeWindow, TimeSpan unstartedWindow)
    {
        lock (_lock)
        {
            return _attachment is null && now - _detachedAt > (_sentCount == 0 ? unstartedWindow : resumeWindow);
        }
    }
}
