using System.Runtime.InteropServices;

namespace RestoreGrpc.Core.Imaging;

/// <summary>Encoded output bytes and what they hold. The bytes may sit in a pooled buffer: dispose the image once
/// they have been sent (or copied), and do not touch <see cref="Memory"/> after that.</summary>
public sealed class EncodedImage : IDisposable
{
    private IDisposable? _owner;

    public EncodedImage(byte[] bytes, ImageDescription description)
        : this(bytes, description, [], owner: null)
    {
    }

    /// <param name="memory">The encoded bytes.</param>
    /// <param name="description">What the bytes hold.</param>
    /// <param name="notes">What the encoder did that the request did not spell out (alpha composited for JPEG, …).</param>
    /// <param name="owner">The pooled buffer behind <paramref name="memory"/>, returned on dispose; null for an array of its own.</param>
    internal EncodedImage(ReadOnlyMemory<byte> memory, ImageDescription description, IReadOnlyList<string> notes, IDisposable? owner)
    {
        Memory = memory;
        Description = description;
        Notes = notes;
        _owner = owner;
    }

    /// <summary>The encoded bytes, without a copy.</summary>
    public ReadOnlyMemory<byte> Memory { get; }

    /// <summary>The encoded bytes as an array of their own (a copy when they sit in a pooled buffer).</summary>
    public byte[] Bytes => MemoryMarshal.TryGetArray(Memory, out ArraySegment<byte> whole) && whole.Offset == 0 && whole.Count == whole.Array!.Length
        ? whole.Array
        : Memory.ToArray();

    public ImageDescription Description { get; }

    /// <summary>What the encoder did that the request did not spell out (alpha composited for JPEG, …).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Returns a pooled buffer to its pool. Idempotent.</summary>
    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Dispose();
}
