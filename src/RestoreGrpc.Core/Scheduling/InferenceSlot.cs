namespace RestoreGrpc.Core.Scheduling;

/// <summary>A held <see cref="InferenceGate"/> slot, released once: right after the model run, or when the batch
/// ends, whichever comes first.</summary>
internal sealed class InferenceSlot(InferenceGate.Lease lease)
{
    private int _released;

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            lease.Dispose();
        }
    }
}
