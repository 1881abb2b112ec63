using Onnx;

namespace RestoreGrpc.Core.Models.Precision;

/// <summary>
/// What the float16 conversion must know about ONNX operators: inputs the operator schema types as float32 only,
/// operators that stay float32 as a whole, and outputs that are never floating point.
/// </summary>
internal static class Fp16OperatorRules
{
    private static readonly HashSet<string> KeptFloat32Operators = new(StringComparer.Ordinal)
    {
        // Index and sampling arithmetic that float16 would get wrong (or that has no float16 kernel at all).
        "NonMaxSuppression", "TopK", "RoiAlign", "Range", "CumSum",
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "EyeLike",
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
    };

    private static readonly HashSet<string> NonFloatOutputOperators = new(StringComparer.Ordinal)
    {
        "Shape", "Size", "NonZero", "ArgMax", "ArgMin", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual",
        "Not", "And", "Or", "Xor", "IsNaN", "IsInf", "BitShift",
    };

    /// <summary>
    /// Whether input <paramref name="index"/> of <paramref name="node"/> must be float32 whatever the data's precision:
    /// Resize's <c>roi</c> and <c>scales</c>, Upsample's <c>scales</c> (the schemas allow float32 only for scales, and
    /// coordinates computed in float16 would misplace samples on large images).
    /// </summary>
    public static bool RequiresFloat32Input(NodeProto node, int index) => node.OpType switch
    {
        "Resize" => index is 1 or 2,
        "Upsample" => index == 1,
        _ => false,
    };

    /// <summary>Whether the node runs in float32 as a whole: an operator listed above, or one outside the default ONNX domain.</summary>
    public static bool KeepsFloat32(NodeProto node) =>
        KeptFloat32Operators.Contains(node.OpType) || node.Domain is not ("" or "ai.onnx");

    /// <summary>Whether output <paramref name="index"/> of a node that has float inputs is floating point.</summary>
    public static bool IsFloatOutput(NodeProto node, int index) => node.OpType switch
    {
        _ when NonFloatOutputOperators.Contains(node.OpType) => false,
        "TopK" or "MaxPool" => index == 0,
        "Unique" => index == 0,
        _ => true,
    };

    /// <summary>Whether a node without float inputs still produces float32 (its <c>value</c> or <c>dtype</c> says so).</summary>
    public static bool MakesFloat32FromNothing(NodeProto node)
    {
        switch (node.OpType)
        {
            case "ConstantOfShape":
                AttributeProto? value = node.Attribute.FirstOrDefault(a => a.Name == "value");
                return value?.T is null || value.T.DataType == Fp16TensorConversion.Float32;
            case "RandomNormal" or "RandomUniform":
                AttributeProto? dtype = node.Attribute.FirstOrDefault(a => a.Name == "dtype");
                return dtype is null || dtype.I == Fp16TensorConversion.Float32;
            default:
                return false;
        }
    }
}
