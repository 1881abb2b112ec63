using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Streaming;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Tests.Streaming;

public sealed class StreamingJobRegistryTests
{
    private static readonly IUpscaleModel Resampler = new ResamplerModel(BuiltinModels.ResamplerDescriptor());

    /// <summary>A fresh lease for each job (the registry releases it when the job goes).</summary>
    private static ModelLease Model => new(new ModelSession(Resampler, "test"));

    private static TilePlan Plan => TilePlan.Create(100, 100, new TilePlanOptions(32, 8, 4));

    [Fact]
    public void A_detached_job_expires_after_the_resume_window_and_an_attached_one_does_not()
    {
        var time = new ManualTime();
        var registry = new StreamingJobRegistry(new StreamingOptions { ResumeWindowSeconds = 60 }, time);
        StreamingJob detached = Started(registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a"));
        StreamingJob attached = Started(registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a"));
        using CancellationTokenSource attachment = registry.Attach(attached);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Same(detached, registry.Find(detached.Id));

        time.Advance(TimeSpan.FromSeconds(2));
        var error = Assert.Throws<StreamJobNotFoundException>(() => registry.Find(detached.Id));
        Assert.Equal(detached.Id, error.JobId);
        Assert.Same(attached, registry.Find(attached.Id));

        attached.Detach(attachment, time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Throws<StreamJobNotFoundException>(() => registry.Find(attached.Id));
        Assert.Equal(0, registry.Count);
    }

    [Fact]
    public void A_job_that_never_sent_a_tile_expires_fast()
    {
        var time = new ManualTime();
        var registry = new StreamingJobRegistry(new StreamingOptions { ResumeWindowSeconds = 600, UnstartedJobWindowSeconds = 10 }, time);
        StreamingJob unstarted = registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a");
        StreamingJob started = Started(registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a"));

        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Throws<StreamJobNotFoundException>(() => registry.Find(unstarted.Id));
        Assert.Same(started, registry.Find(started.Id));
    }

    [Fact]
    public void Live_streams_are_bounded_and_an_ended_one_frees_its_place()
    {
        var time = new ManualTime();
        var registry = new StreamingJobRegistry(new StreamingOptions { MaxJobs = 2, MaxJobsPerClient = 2 }, time);
        StreamingJob first = registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a");
        StreamingJob second = registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "b");
        using CancellationTokenSource one = registry.Attach(first);
        using CancellationTokenSource two = registry.Attach(second);

        Assert.NotEqual(first.Id, second.Id);
        StreamingJob third = registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "c");
        Assert.Throws<QueueFullException>(() => registry.Attach(third));

        // A newer stream of an attached job takes over: it is not a new place.
        using CancellationTokenSource again = registry.Attach(first);

        second.Detach(two, time.GetUtcNow());
        using CancellationTokenSource three = registry.Attach(third);
    }

    [Fact]
    public void Streams_that_ended_before_their_first_tile_do_not_lock_out_other_clients()
    {
        // 64 header-only streams of one client, then all cancelled: before, the 64 resumable jobs filled MaxJobs
        // for the whole 600 s resume window and every client's new stream was refused.
        var time = new ManualTime();
        var registry = new StreamingJobRegistry(new StreamingOptions { MaxJobs = 64, MaxJobsPerClient = 64 }, time);
        var attached = new List<(StreamingJob Job, CancellationTokenSource Attachment)>();
        for (int i = 0; i < 64; i++)
        {
            StreamingJob job = registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "flood");
            attached.Add((job, registry.Attach(job)));
        }

        foreach ((StreamingJob job, CancellationTokenSource attachment) in attached)
        {
            job.Detach(attachment, time.GetUtcNow());
            attachment.Dispose();
        }

        StreamingJob other = registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "other");
        using CancellationTokenSource opened = registry.Attach(other);
        StreamingJob flooderAgain = registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "flood");
        using CancellationTokenSource reopened = registry.Attach(flooderAgain);

        // The unstarted jobs go after the short window, not the resume window.
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Throws<StreamJobNotFoundException>(() => registry.Find(attached[0].Job.Id));
        Assert.Equal(2, registry.Count);
    }

    [Fact]
    public void One_client_cannot_take_every_place()
    {
        var registry = new StreamingJobRegistry(new StreamingOptions { MaxJobs = 64, MaxJobsPerClient = 2 }, new ManualTime());
        using CancellationTokenSource a1 = registry.Attach(registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a"));
        using CancellationTokenSource a2 = registry.Attach(registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a"));

        var refused = Assert.Throws<QueueFullException>(() => registry.Attach(registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a")));
        Assert.Contains("this client", refused.Message, StringComparison.Ordinal);
        using CancellationTokenSource b1 = registry.Attach(registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "b"));
    }

    [Fact]
    public void Resumable_jobs_are_bounded_and_the_longest_detached_goes_first()
    {
        var time = new ManualTime();
        var registry = new StreamingJobRegistry(new StreamingOptions { MaxJobs = 2 }, time);
        StreamingJob oldest = Started(registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a"));
        time.Advance(TimeSpan.FromSeconds(1));
        StreamingJob newer = Started(registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a"));
        time.Advance(TimeSpan.FromSeconds(1));
        StreamingJob newest = registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a");

        Assert.Throws<StreamJobNotFoundException>(() => registry.Find(oldest.Id));
        Assert.Same(newer, registry.Find(newer.Id));
        Assert.Same(newest, registry.Find(newest.Id));
    }

    [Fact]
    public void A_newer_stream_takes_over_the_job()
    {
        var registry = new StreamingJobRegistry(new StreamingOptions(), new ManualTime());
        StreamingJob job = registry.Create(Model, Plan, StreamPixelFormat.Rgb24, "a");
        using CancellationTokenSource old = registry.Attach(job);
        using CancellationTokenSource newer = registry.Attach(job);

        Assert.True(old.IsCancellationRequested);
        Assert.False(newer.IsCancellationRequested);
    }

    private static StreamingJob Started(StreamingJob job)
    {
        job.MarkSent(0);
        return job;
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
