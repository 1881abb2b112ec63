using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// A pool of 4 KiB blocks on the pinned object heap, as Kestrel's own (sockets read into them without pinning per
/// call), whose free blocks can all be dropped at once (<see cref="Trim"/>).
/// </summary>
internal sealed class TrimmableBlockMemoryPool(Action<TrimmableBlockMemoryPool> disposed) : MemoryPool<byte>
{
    public const int BlockSize = 4096;

    private readonly ConcurrentQueue<Block> _free = new();
    private volatile bool _disposed;
    private long _rented;

    public override int MaxBufferSize => BlockSize;

    public long PooledBytes => (long)_free.Count * BlockSize;

    /// <summary>Bytes rented and not yet returned (in use by connections: request bodies, response output).</summary>
    public long RentedBytes => Interlocked.Read(ref _rented) * BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _rented);
        return _free.TryDequeue(out Block? block) ? block : new Block(this);
    }

    public long Trim()
    {
        long dropped = 0;
        int count = _free.Count; // blocks returned meanwhile wait for the next trim
        while (count-- > 0 && _free.TryDequeue(out _))
        {
            dropped += BlockSize;
        }

        return dropped;
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _free.Clear();
        disposed(this);
    }

    private void Return(Block block)
    {
        Interlocked.Decrement(ref _rented);
        if (!_disposed)
        {
            _free.Enqueue(block);
        }
    }

    private sealed class Block(TrimmableBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = MemoryMarshal.CreateFromPinnedArray(GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true), 0, BlockSize);

        public void Dispose() => pool.Return(this);
    }
}
