using System.Buffers.Binary;
using Google.Protobuf;
using Onnx;

namespace RestoreGrpc.Core.Models.Precision;

/// <summary>Rewrites a float32 <see cref="TensorProto"/> as float16 (little-endian raw data).</summary>
internal static class Fp16TensorConversion
{
    /// <summary>The largest finite float16 value.</summary>
    public const float MaxHalf = 65504f;

    public const int Float32 = (int)TensorProto.Types.DataType.Float;

    public const int Float16 = (int)TensorProto.Types.DataType.Float16;

    /// <summary>
    /// A float32 value as float16, rounded to nearest even by <see cref="Half"/>. Finite values beyond ±65504 are
    /// clamped to ±65504 (a cast would make them ±infinity, which poisons every sum they enter); infinities and NaN
    /// stay what they are. Magnitudes below the normal range become float16 subnormals, and those below 2⁻²⁵ become
    /// (signed) zero: for trained weights that is far below the precision of their neighbours.
    /// </summary>
    public static Half ToHalf(float value) =>
        float.IsFinite(value) ? (Half)Math.Clamp(value, -MaxHalf, MaxHalf) : (Half)value;

    /// <summary>The float32 values of a tensor, from <c>raw_data</c> or <c>float_data</c>.</summary>
    /// <exception cref="NotSupportedException">The tensor keeps its data in an external file.</exception>
    public static float[] ReadFloats(TensorProto tensor)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new NotSupportedException($"tensor '{tensor.Name}' stores its data in an external file; float16 conversion reads embedded data only");
        }

        if (tensor.RawData.IsEmpty)
        {
            return [.. tensor.FloatData];
        }

        ReadOnlySpan<byte> raw = tensor.RawData.Span;
        float[] values = new float[raw.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        }

        return values;
    }

    /// <summary>Converts a float32 tensor to float16 in place.</summary>
    public static void ConvertInPlace(TensorProto tensor)
    {
        if (tensor.DataType != Float32)
        {
            throw new ArgumentException($"tensor '{tensor.Name}' is not float32", nameof(tensor));
        }

        float[] values = ReadFloats(tensor);
        byte[] raw = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(raw.AsSpan(i * 2), ToHalf(values[i]));
        }

        tensor.FloatData.Clear();
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(raw);
        tensor.DataType = Float16;
    }

    /// <summary>A float16 copy of a float32 tensor under another name.</summary>
    public static TensorProto ConvertedCopy(TensorProto tensor, string name)
    {
        TensorProto copy = tensor.Clone();
        copy.Name = name;
        ConvertInPlace(copy);
        return copy;
    }
}
