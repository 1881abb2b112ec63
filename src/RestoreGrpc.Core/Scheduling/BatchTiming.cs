namespace RestoreGrpc.Core.Scheduling;

/// <summary>What happened to one batched item: time in the queue, and the run of the batch that carried it.</summary>
public readonly record struct BatchTiming(TimeSpan QueueWait, TimeSpan Inference, int BatchSize);
