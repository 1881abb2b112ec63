namespace RestoreGrpc.Core.Models;

/// <summary>
/// One loaded version of a catalog entry, reference-counted: the catalog holds one reference while the session
/// serves, and every <see cref="ModelLease"/> holds one more. A reload or unload drops the catalog's reference
/// (<see cref="Retire"/>); the model is disposed when the last lease is released, so requests running on it finish.
/// </summary>
internal sealed class ModelSession
{
    private int _holders = 1;
    private int _disposed;

    /// <param name="model">The loaded, warmed-up model.</param>
    /// <param name="detail">What was loaded and how it was warmed up, for the entry's detail.</param>
    public ModelSession(IUpscaleModel model, string detail)
    {
        Model = model;
        Detail = detail;
        LoadedAt = DateTimeOffset.UtcNow;
    }

    public IUpscaleModel Model { get; }

    public string Detail { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>"fp32" or "fp16" for ONNX models; empty for built-in ones.</summary>
    public string Precision { get; init; } = string.Empty;

    /// <summary>Users right now, the catalog's own reference included (tests).</summary>
    public int Holders => Volatile.Read(ref _holders);

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>One more user, unless the session has already gone (retired and released by everyone).</summary>
    public bool TryAcquire()
    {
        int holders = Volatile.Read(ref _holders);
        while (holders > 0)
        {
            int seen = Interlocked.CompareExchange(ref _holders, holders + 1, holders);
            if (seen == holders)
            {
                return true;
            }

            holders = seen;
        }

        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            DisposeNow();
        }
    }

    /// <summary>The catalog stops handing the session out; it goes once the running requests release it.</summary>
    public void Retire() => Release();

    /// <summary>Disposes at once, whoever still holds it (shutdown only).</summary>
    public void DisposeNow()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && Model is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
