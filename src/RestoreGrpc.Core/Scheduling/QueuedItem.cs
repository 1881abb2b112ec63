using System.Diagnostics;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>One caller's item from the moment it is admitted until its batch completes it: the caller's buffers
/// (which stay the caller's), its owner for fair turns, and the task the caller awaits.</summary>
internal sealed class QueuedItem(ShapeKey key, float[] input, float[] output, BatchOwner owner)
{
    public ShapeKey Key { get; } = key;

    public float[] Input { get; } = input;

    public float[] Output { get; } = output;

    public BatchOwner Owner { get; } = owner;

    public long Bytes { get; } = key.InputBytes;

    public long Enqueued { get; } = Stopwatch.GetTimestamp();

    /// <summary>The caller's span when the item was queued: the batch span links to it.</summary>
    public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

    public TaskCompletionSource<BatchTiming> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether the caller has its answer (a result, a failure or its cancellation).</summary>
    public bool IsCompleted => Completion.Task.IsCompleted;

    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>The batch carrying the item once it left the queue; guarded by the <see cref="BatchQueue"/>'s lock.</summary>
    public RunningBatch? Batch { get; set; }
}
