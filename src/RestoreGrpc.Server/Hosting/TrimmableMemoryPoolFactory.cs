using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// Kestrel's connection memory pools (the transport's and HTTP/2's buffers), made so that an idle server can give
/// them back at once: the default pool (ASP.NET Core 10) evicts idle blocks only 5 % per 10 s, so after 200
/// concurrent uploads of a 773 KiB image ~150 MiB of pinned blocks stayed for minutes (issue 20).
/// <see cref="Trim"/>, run by <see cref="MemoryTrimService"/> with the rest of the idle trim, drops every block not
/// in use; the compacting collection that follows returns them.
/// </summary>
public sealed class TrimmableMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    private readonly ConcurrentDictionary<TrimmableBlockMemoryPool, byte> _pools = new();

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new TrimmableBlockMemoryPool(p => _pools.TryRemove(p, out _));
        _pools.TryAdd(pool, 0);
        return pool;
    }

    /// <summary>Bytes now pooled and free, over all pools.</summary>
    public long PooledBytes => _pools.Keys.Sum(pool => pool.PooledBytes);

    /// <summary>Bytes rented from all pools and not yet returned.</summary>
    public long RentedBytes => _pools.Keys.Sum(pool => pool.RentedBytes);

    /// <summary>Drops the free blocks of every pool; returns the bytes dropped.</summary>
    public long Trim() => _pools.Keys.Sum(pool => pool.Trim());
}
