namespace RestoreGrpc.Core.Models;

/// <summary>
/// Maps scaled pixel samples in [0, 1] to a model's input range and back: <c>x·Gain + Offset − mean[c]</c>.
/// </summary>
public readonly struct TensorNormalization
{
    private readonly float[] _mean;

    public TensorNormalization(InputRange range, ColorOrder order, float[]? mean = null)
    {
        (Gain, Offset) = range switch
        {
            InputRange.ZeroToOne => (1f, 0f),
            InputRange.MinusOneToOne => (2f, -1f),
            InputRange.ZeroTo255 => (255f, 0f),
            _ => throw new ArgumentOutOfRangeException(nameof(range), range, null),
        };
        Order = order;
        _mean = mean is { Length: 3 } ? mean : [0f, 0f, 0f];
    }

    public float Gain { get; }

    public float Offset { get; }

    public ColorOrder Order { get; }

    public static TensorNormalization For(ModelDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return new(descriptor.InputRange, descriptor.ColorOrder, descriptor.Mean);
    }

    /// <summary>Tensor channel holding image channel <paramref name="rgbChannel"/> (0 = R).</summary>
    public int TensorChannel(int rgbChannel) => Order == ColorOrder.Bgr ? 2 - rgbChannel : rgbChannel;

    /// <summary>The mean subtracted from tensor channel <paramref name="tensorChannel"/>.</summary>
    public float Mean(int tensorChannel) => _mean[tensorChannel];

    public float ToModel(float scaled, int tensorChannel) => (scaled * Gain) + Offset - _mean[tensorChannel];

    public float FromModel(float value, int tensorChannel) => (value + _mean[tensorChannel] - Offset) / Gain;
}
