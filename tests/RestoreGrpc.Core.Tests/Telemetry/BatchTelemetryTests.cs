using System.Collections.Concurrent;
using System.Diagnostics;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Telemetry;

namespace RestoreGrpc.Core.Tests.Telemetry;

public sealed class BatchTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_batch_span_links_every_request_it_served_and_each_request_records_its_queue_wait_linked_back()
    {
        var spans = new ConcurrentQueue<Activity>();
        // The batch span ends after its callers have their results (it covers the scatter too), so wait for it.
        var batchStopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is RestoreTelemetry.SourceName or "RestoreGrpc.Core.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                spans.Enqueue(span);
                if (span.OperationName == RestoreStages.BatchInference)
                {
                    batchStopped.TrySetResult();
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var requests = new ActivitySource("RestoreGrpc.Core.Tests");

        var model = new IdentityModel();
        // Both items wait for each other: a batch forms when full (2) long before the delay.
        using var batcher = new DynamicBatcher(new InferenceGate(1), new DynamicBatcherOptions { MaxBatch = 2, MaxDelay = TimeSpan.FromMinutes(1) });
        ActivityContext[] callers = await Task.WhenAll(Enumerable.Range(0, 2).Select(async i =>
        {
            using Activity request = requests.StartActivity($"request {i}")!;
            float[] input = new float[12];
            await batcher.RunAsync(model, input, new float[12], 2, 2, new BatchOwner(request), Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            return request.Context;
        }));
        await batchStopped.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Activity batch = Assert.Single(spans, s => s.OperationName == RestoreStages.BatchInference && callers.Any(c => c.TraceId == s.TraceId));
        Assert.Equal(callers.Select(c => c.SpanId.ToHexString()).Order(), batch.Links.Select(l => l.Context.SpanId.ToHexString()).Order());
        Assert.Equal(callers[0].SpanId, batch.ParentSpanId);
        Assert.Equal(2, batch.GetTagItem(RestoreAttributes.BatchSize));
        Assert.Equal(1.0, batch.GetTagItem(RestoreAttributes.BatchFillRatio));
        Assert.Equal("identity", batch.GetTagItem(RestoreAttributes.Model));
        Assert.Equal("2x2", batch.GetTagItem(RestoreAttributes.TileShape));

        foreach (ActivityContext caller in callers)
        {
            Activity wait = Assert.Single(spans, s => s.OperationName == RestoreStages.QueueWait && s.ParentSpanId == caller.SpanId);
            Assert.Equal(caller.TraceId, wait.TraceId);
            Assert.Equal(batch.SpanId, Assert.Single(wait.Links).Context.SpanId);
            Assert.True(wait.StartTimeUtc <= batch.StartTimeUtc + TimeSpan.FromMilliseconds(1), "a queue wait ends when its batch starts");
        }
    }

    /// <summary>×1 identity model.</summary>
    private sealed class IdentityModel : IUpscaleModel
    {
        public ModelDescriptor Descriptor { get; } = new() { Name = "identity", Task = ModelTaskKind.FaceRestoration, FixedSize = 2 };

        public int Scale => 1;

        public string ExecutionProvider => "test";

        public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken) =>
            input.Span[..(batch * 3 * height * width)].CopyTo(output.Span);
    }
}
