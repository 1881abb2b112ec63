using System.Runtime.InteropServices;

namespace RestoreGrpc.Core.Imaging;

/// <summary>Encoded output bytes and what they hold. The bytes may sit in a pooled buffer: dispose the image once
/// they have been sent (or copied), and do not touch <see cref="Memory"/> after that.</summary>
public sealed class EncodedImage : IDisposable
{
    private IDisposable? _owner;

    public EncodedImage(byte[] bytes, ImageDescription description)
        : this(bytes, description, owner: null)
    {
    }

    internal EncodedImage(ReadOnlyMemory<byte> memory, ImageDescription description, IDisposable? owner)
    {
        Memory = memory;
        Description = description;
        _owner = owner;
    }

    /// <summary>The encoded bytes, without a copy.</summary>
    public ReadOnlyMemory<byte> Memory { get; }

    /// <summary>The encoded bytes as an array of their own (a copy when they sit in a pooled buffer).</summary>
    public byte[] Bytes => MemoryMarshal.TryGetArray(Memory, out ArraySegment<byte> whole) && whole.Offset == 0 && whole.Count == whole.Array!.Length
        ? whole.Array
        : Memory.ToArray();

    public ImageDescription Description { get; }

    /// <summary>Returns a pooled buffer to its pool. Idempotent.</summary>
    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Dispose();
}
