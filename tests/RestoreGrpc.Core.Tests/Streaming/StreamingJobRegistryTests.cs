using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Streaming;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Tests.Streaming;

public sealed class StreamingJobRegistryTests
{
    private static readonly IUpscaleModel Model = new ResamplerModel(BuiltinModels.ResamplerDescriptor());

    private static TilePlan Plan => TilePlan.Create(100, 100, new TilePlanOptions(32, 8, 4));

    [Fact]
    public void A_detached_job_expires_after_the_resume_window_and_an_attached_one_does_not()
    {
        var time = new ManualTime();
        var registry = new StreamingJobRegistry(new StreamingOptions { ResumeWindowSeconds = 60 }, time);
        StreamingJob detached = registry.Create(Model, Plan, StreamPixelFormat.Rgb24);
        StreamingJob attached = registry.Create(Model, Plan, StreamPixelFormat.Rgb24);
        using CancellationTokenSource attachment = attached.Attach();

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
    public void Jobs_are_bounded()
    {
        var registry = new StreamingJobRegistry(new StreamingOptions { MaxJobs = 2 }, new ManualTime());
        StreamingJob first = registry.Create(Model, Plan, StreamPixelFormat.Rgb24);
        StreamingJob second = registry.Create(Model, Plan, StreamPixelFormat.Rgb24);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Throws<QueueFullException>(() => registry.Create(Model, Plan, StreamPixelFormat.Rgb24));
    }

    [Fact]
    public void A_newer_stream_takes_over_the_job()
    {
        var registry = new StreamingJobRegistry(new StreamingOptions(), new ManualTime());
        StreamingJob job = registry.Create(Model, Plan, StreamPixelFormat.Rgb24);
        using CancellationTokenSource old = job.Attach();
        using CancellationTokenSource newer = job.Attach();

        Assert.True(old.IsCancellationRequested);
        Assert.False(newer.IsCancellationRequested);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
