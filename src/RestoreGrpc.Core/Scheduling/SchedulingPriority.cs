namespace RestoreGrpc.Core.Scheduling;

/// <summary>Scheduling class chosen by the caller: interactive work is batched before batch work.</summary>
public enum SchedulingPriority
{
    Interactive,
    Batch,
}
