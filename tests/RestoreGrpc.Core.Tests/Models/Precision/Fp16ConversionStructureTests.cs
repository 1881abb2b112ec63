using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using RestoreGrpc.Core.Models.Precision;

namespace RestoreGrpc.Core.Tests.Models.Precision;

/// <summary>The converted graphs keep their float32 interface and hold float16 everywhere else but where float32 must stay.</summary>
public sealed class Fp16ConversionStructureTests
{
    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Float16 = (int)TensorProto.Types.DataType.Float16;

    /// <summary>Each model with the float32 tensors that must stay: the SR models' Resize scales (a Constant).</summary>
    public static TheoryData<string, string[]> Models => new()
    {
        { "realesr-general-x4v3.onnx", ["/Constant_output_0"] },
        { "realesr-animevideov3-x4.onnx", ["/Constant_output_0"] },
        { "realesrganv2-animevideo-x2.onnx", ["/Constant_output_0"] },
        { "face-standin-512.onnx", [] },
        { "face-standin-256.onnx", [] },
    };

    public static TheoryData<string> AllModels => new()
    {
        "realesr-general-x4v3.onnx", "realesr-animevideov3-x4.onnx", "realesrganv2-animevideo-x2.onnx",
        "face-standin-512.onnx", "face-standin-256.onnx", "yunet_s_dynamic.onnx", "retinaface_mbnet0.25.onnx",
    };

    [Theory]
    [MemberData(nameof(AllModels))]
    public void The_converted_model_loads_with_the_same_float32_inputs_and_outputs(string model)
    {
        (ModelProto original, ModelProto converted, _) = Fp16TestModels.Convert(model);
        using InferenceSession before = Fp16TestModels.CpuSession(original);
        using InferenceSession after = Fp16TestModels.CpuSession(converted);
        AssertSameInterface(before.InputMetadata, after.InputMetadata);
        AssertSameInterface(before.OutputMetadata, after.OutputMetadata);
        Assert.Equal(original.Graph.Input.Select(i => i.Name), converted.Graph.Input.Select(i => i.Name));
        Assert.Equal(original.Graph.Output.Select(o => o.Name), converted.Graph.Output.Select(o => o.Name));
        Assert.All(converted.Graph.Input.Concat(converted.Graph.Output), v => Assert.Equal(Float, v.Type.TensorType.ElemType));
        // The graph really runs in float16 inside: most floating-point weights are float16 now.
        Assert.True(converted.Graph.Initializer.Count(t => t.DataType == Float16) > converted.Graph.Initializer.Count(t => t.DataType == Float));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Only_the_tensors_that_must_stay_float32_do(string model, string[] mustStay)
    {
        (ModelProto original, ModelProto converted, Fp16ConversionReport report) = Fp16TestModels.Convert(model);
        Assert.Empty(converted.Graph.Initializer.Where(t => t.DataType == Float).Select(t => t.Name));
        string[] float32Constants = [.. converted.Graph.Node
            .Where(n => n.OpType == "Constant" && n.Attribute.Single(a => a.Name == "value").T.DataType == Float)
            .Select(n => n.Output[0])];
        Assert.Equal(mustStay, float32Constants);
        Assert.Equal(mustStay, report.KeptFloat32);
        foreach (NodeProto resize in converted.Graph.Node.Where(n => n.OpType == "Resize"))
        {
            Assert.Contains(resize.Input[2], mustStay);
        }

        // Every float32 weight and Constant became a float16 tensor of the same shape.
        int originalFloats = original.Graph.Initializer.Count(t => t.DataType == Float)
            + original.Graph.Node.Count(n => n.OpType == "Constant" && n.Attribute.Single(a => a.Name == "value").T.DataType == Float);
        Assert.Equal(originalFloats - mustStay.Length, report.ConvertedTensors);
        foreach (TensorProto weight in original.Graph.Initializer)
        {
            TensorProto half = converted.Graph.Initializer.Single(t => t.Name == weight.Name);
            Assert.Equal(weight.Dims, half.Dims);
            Assert.Equal(Float16, half.DataType);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_graph_input_is_cast_to_fp16_on_entry_and_the_output_back_to_fp32(string model, string[] mustStay)
    {
        _ = mustStay;
        (_, ModelProto converted, _) = Fp16TestModels.Convert(model);
        GraphProto graph = converted.Graph;
        NodeProto entry = Assert.Single(graph.Node, n => n.Input.Contains("input"));
        Assert.Equal("Cast", entry.OpType);
        Assert.Equal(Float16, entry.Attribute.Single(a => a.Name == "to").I);
        NodeProto exit = Assert.Single(graph.Node, n => n.Output.Contains("output"));
        Assert.Equal("Cast", exit.OpType);
        Assert.Equal(Float, exit.Attribute.Single(a => a.Name == "to").I);
        // The layer before the cast back produces float16 under another name.
        Assert.NotEqual("output", exit.Input[0]);
        Assert.Contains(graph.Node, n => n.Output.Contains(exit.Input[0]) && n.OpType != "Cast");
    }

    [Fact]
    public void Values_become_the_nearest_fp16_and_out_of_range_ones_clamp()
    {
        // Expected bit patterns from the IEEE 754 binary16 format (sign, 5 exponent bits, 10 fraction bits).
        (float Value, ushort Bits)[] cases =
        [
            (1f, 0x3C00), (-2f, 0xC000), (0.1f, 0x2E66), (65504f, 0x7BFF),
            (1e6f, 0x7BFF), (-1e6f, 0xFBFF), // beyond ±65504: clamped, not infinite
            (float.PositiveInfinity, 0x7C00), // a real infinity stays one
            (1e-6f, 0x0011), // subnormal: 17 · 2⁻²⁴
            (1e-9f, 0x0000), // below half the smallest subnormal: zero
        ];
        var tensor = new TensorProto { Name = "t", DataType = Float };
        tensor.Dims.Add(cases.Length);
        tensor.FloatData.AddRange(cases.Select(c => c.Value));

        Fp16TensorConversion.ConvertInPlace(tensor);

        Assert.Equal(Float16, tensor.DataType);
        Assert.Empty(tensor.FloatData);
        byte[] raw = tensor.RawData.ToByteArray();
        ushort[] bits = [.. Enumerable.Range(0, cases.Length).Select(i => BitConverter.ToUInt16(raw, i * 2))];
        Assert.Equal(cases.Select(c => c.Bits), bits);
    }

    [Fact]
    public void A_graph_with_a_subgraph_is_refused_with_the_reason()
    {
        var model = new ModelProto { Graph = new GraphProto() };
        var node = new NodeProto { OpType = "If", Name = "branch" };
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = new GraphProto() });
        model.Graph.Node.Add(node);
        var error = Assert.Throws<NotSupportedException>(() => Fp16Conversion.Convert(model));
        Assert.Contains("subgraph", error.Message, StringComparison.Ordinal);
    }

    private static void AssertSameInterface(IReadOnlyDictionary<string, NodeMetadata> expected, IReadOnlyDictionary<string, NodeMetadata> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach ((string name, NodeMetadata metadata) in expected)
        {
            Assert.Equal(TensorElementType.Float, actual[name].ElementDataType);
            Assert.Equal(metadata.ElementDataType, actual[name].ElementDataType);
            Assert.Equal(metadata.Dimensions, actual[name].Dimensions);
            Assert.Equal(metadata.SymbolicDimensions, actual[name].SymbolicDimensions);
        }
    }
}
