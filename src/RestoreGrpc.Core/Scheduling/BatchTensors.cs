using RestoreGrpc.Core.Tiling;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>
/// A batch's input and output tensors. A batch of one runs on its caller's own buffers, with no copies (a ×4 tile's
/// output is tens of megabytes); a larger batch gathers its inputs into pooled tensors and scatters the outputs back.
/// Disposing returns pooled tensors once.
/// </summary>
internal sealed class BatchTensors : IDisposable
{
    private readonly IReadOnlyList<QueuedItem> _items;
    private readonly int _inputLength;
    private readonly int _outputLength;
    private bool _pooled;

    private BatchTensors(IReadOnlyList<QueuedItem> items, int inputLength, int outputLength)
    {
        _items = items;
        _inputLength = inputLength;
        _outputLength = outputLength;
        _pooled = items.Count > 1;
        Input = _pooled ? TensorBuffers.Pool.Rent(items.Count * inputLength) : items[0].Input;
        Output = _pooled ? TensorBuffers.Pool.Rent(items.Count * outputLength) : items[0].Output;
    }

    public float[] Input { get; }

    public float[] Output { get; }

    /// <summary>Gathers the items' inputs (each <paramref name="key"/>'s input length) into the batch input.</summary>
    public static BatchTensors Gather(IReadOnlyList<QueuedItem> items, ShapeKey key)
    {
        ArgumentOutOfRangeException.ThrowIfZero(items.Count);
        var tensors = new BatchTensors(items, key.InputLength, key.OutputLength);
        for (int i = 0; tensors._pooled && i < items.Count; i++)
        {
            items[i].Input.AsSpan(0, tensors._inputLength).CopyTo(tensors.Input.AsSpan(i * tensors._inputLength));
        }

        return tensors;
    }

    /// <summary>Copies item <paramref name="index"/>'s output to its caller's buffer (nothing to do for a batch of one).</summary>
    public void Scatter(int index)
    {
        if (_pooled)
        {
            Output.AsSpan(index * _outputLength, _outputLength).CopyTo(_items[index].Output);
        }
    }

    public void Dispose()
    {
        if (_pooled)
        {
            _pooled = false;
            TensorBuffers.Pool.Return(Input);
            TensorBuffers.Pool.Return(Output);
        }
    }
}
