namespace RestoreGrpc.Client;

/// <summary>Scheduling class: the server serves interactive work's tiles before batch work's.</summary>
public enum RestorePriority
{
    /// <summary>A person is waiting (the default).</summary>
    Interactive,

    /// <summary>Bulk work that yields to interactive requests.</summary>
    Batch,
}
