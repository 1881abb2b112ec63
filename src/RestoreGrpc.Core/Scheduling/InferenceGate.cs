namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// Bounds how many model runs execute at once. On CPU one run already uses every core through ONNX Runtime's
/// intra-op threads, so more would only thrash caches; requests take the gate per tile, so concurrent requests
/// interleave tile by tile instead of one waiting for another's whole image.
/// </summary>
public sealed class InferenceGate : IDisposable
{
    private readonly SemaphoreSlim _slots;

    public InferenceGate(int concurrentRuns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrentRuns, 1);
        ConcurrentRuns = concurrentRuns;
        _slots = new SemaphoreSlim(concurrentRuns, concurrentRuns);
    }

    public int ConcurrentRuns { get; }

    /// <summary>Slots free right now.</summary>
    public int FreeSlots => _slots.CurrentCount;

    /// <summary>Waits for a slot; dispose the lease to free it.</summary>
    public async ValueTask<Lease> EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);

        return new Lease(_slots);
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>A held slot.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly SemaphoreSlim? _slots;

        internal Lease(SemaphoreSlim slots) => _slots = slots;

        public void Dispose() => _slots?.Release();
    }
}
