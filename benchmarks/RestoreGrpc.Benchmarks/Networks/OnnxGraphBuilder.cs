using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace RestoreGrpc.Benchmarks.Networks;

/// <summary>
/// Builds an ONNX graph (opset 17, IR version 8) node by node with the OnnxSharp protobuf classes, with layers whose
/// weights come from <see cref="SeededWeights"/>. It counts as it goes what the architecture costs: the learnable
/// parameters (<see cref="Parameter"/>; fixed constants such as blur kernels are not parameters) and the
/// multiply-accumulates of every convolution and linear layer for the pixel counts the caller gives.
/// Random weights, for speed measurement only.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>The ONNX operator set the generated graphs use.</summary>
    public const long Opset = 17;

    /// <summary>The ONNX IR version the generated models declare.</summary>
    public const long IrVersion = 8;

    private readonly GraphProto _graph;
    private int _nextValue;

    public OnnxGraphBuilder(string graphName, SeededWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _graph = new GraphProto { Name = graphName };
        Weights = weights;
    }

    /// <summary>The source of every random weight of this graph.</summary>
    public SeededWeights Weights { get; }

    /// <summary>Learnable parameters added so far (weights and biases, not fixed constants).</summary>
    public long ParameterCount { get; private set; }

    /// <summary>Multiply-accumulates of the convolutions and linear layers added so far, at the pixel counts given.</summary>
    public double MultiplyAccumulates { get; private set; }

    /// <summary>Multiply-accumulates of fixed (non-learned) filters such as StyleGAN2's blur, kept apart from <see cref="MultiplyAccumulates"/>.</summary>
    public double FixedFilterMultiplyAccumulates { get; private set; }

    /// <summary>A float32 graph input; a dimension is a <see cref="long"/> (fixed) or a <see cref="string"/> (named, dynamic).</summary>
    public string Input(string name, params object[] dimensions)
    {
        _graph.Input.Add(TensorValue(name, dimensions));
        return name;
    }

    /// <summary>Makes <paramref name="value"/> the float32 graph output <paramref name="name"/>.</summary>
    public void Output(string value, string name, params object[] dimensions)
    {
        _graph.Node.Add(new NodeProto { OpType = "Identity", Name = name, Input = { value }, Output = { name } });
        _graph.Output.Add(TensorValue(name, dimensions));
    }

    /// <summary>A learnable float32 initializer (counted in <see cref="ParameterCount"/>).</summary>
    public string Parameter(float[] values, params long[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(values);
        ParameterCount += values.Length;
        return Constant(values, dimensions);
    }

    /// <summary>A fixed float32 initializer (not a parameter).</summary>
    public string Constant(float[] values, params long[] dimensions) =>
        Initializer(TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values.AsSpan()), dimensions);

    /// <summary>A fixed int64 initializer (shapes, axes).</summary>
    public string Int64Constant(params long[] values) =>
        Initializer(TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values.AsSpan()), values.Length);

    /// <summary>Adds a node with one output and returns that output's name.</summary>
    public string Node(string opType, string[] inputs, params AttributeProto[] attributes)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        string output = NewName(opType);
        var node = new NodeProto { OpType = opType, Name = output, Output = { output } };
        node.Input.Add(inputs);
        node.Attribute.Add(attributes);
        _graph.Node.Add(node);
        return output;
    }

    /// <summary>
    /// A 2-D convolution with a random weight of standard deviation <paramref name="weightStd"/> and, when
    /// <paramref name="biasStd"/> is not null, a random bias; <paramref name="outputPixels"/> (H·W of its output, per
    /// image) sets the multiply-accumulates counted.
    /// </summary>
    public string Conv(string x, int inChannels, int outChannels, int kernel, double outputPixels, double weightStd, double? biasStd,
        int stride = 1, int? padding = null)
    {
        int pad = padding ?? kernel / 2;
        string weight = Parameter(Weights.Uniform((long)outChannels * inChannels * kernel * kernel, weightStd), outChannels, inChannels, kernel, kernel);
        string[] inputs = biasStd is { } std ? [x, weight, Parameter(Weights.Uniform(outChannels, std), outChannels)] : [x, weight];
        MultiplyAccumulates += (double)outChannels * inChannels * kernel * kernel * outputPixels;
        return Node("Conv", inputs, IntsAttribute("kernel_shape", kernel, kernel), IntsAttribute("pads", pad, pad, pad, pad), IntsAttribute("strides", stride, stride));
    }

    /// <summary>
    /// A fixed depthwise filter (<paramref name="kernel"/>, square, applied to each of <paramref name="channels"/>):
    /// StyleGAN2's blur. Not a parameter; its multiply-accumulates go to <see cref="FixedFilterMultiplyAccumulates"/>.
    /// </summary>
    public string DepthwiseFilter(string x, int channels, float[] kernel, int size, double outputPixels, int padBegin, int padEnd)
    {
        FixedFilterMultiplyAccumulates += (double)channels * size * size * outputPixels;
        return Node("Conv", [x, DepthwiseWeight(channels, kernel, size)], IntsAttribute("kernel_shape", size, size),
            IntsAttribute("pads", padBegin, padBegin, padEnd, padEnd), IntAttribute("group", channels));
    }

    /// <summary>
    /// StyleGAN2's upsampling blur (upfirdn2d with up=2) as a fixed depthwise transposed convolution, stride 2, that
    /// crops <paramref name="crop"/> from each side; its multiply-accumulates go to <see cref="FixedFilterMultiplyAccumulates"/>.
    /// </summary>
    public string DepthwiseUpsample2x(string x, int channels, float[] kernel, int size, double inputPixels, int crop)
    {
        FixedFilterMultiplyAccumulates += (double)channels * size * size * inputPixels;
        return Node("ConvTranspose", [x, DepthwiseWeight(channels, kernel, size)], IntsAttribute("kernel_shape", size, size),
            IntsAttribute("pads", crop, crop, crop, crop), IntsAttribute("strides", 2, 2), IntAttribute("group", channels));
    }

    /// <summary>A linear layer y = x·Wᵀ + b (Gemm) on [N, in]; <paramref name="biasValue"/> fills the bias when given, else zeros.</summary>
    public string Linear(string x, int inFeatures, int outFeatures, double weightStd, float biasValue = 0)
    {
        string weight = Parameter(Weights.Uniform((long)outFeatures * inFeatures, weightStd), outFeatures, inFeatures);
        string bias = Parameter(SeededWeights.Filled(outFeatures, biasValue), outFeatures);
        MultiplyAccumulates += (double)outFeatures * inFeatures;
        return Node("Gemm", [x, weight, bias], IntAttribute("transB", 1));
    }

    /// <summary>Counts multiply-accumulates of a layer the caller assembles itself (a transposed or modulated convolution).</summary>
    public void CountMultiplyAccumulates(double count) => MultiplyAccumulates += count;

    /// <summary>LeakyReLU with the given negative slope.</summary>
    public string LeakyRelu(string x, float slope) => Node("LeakyRelu", [x], FloatAttribute("alpha", slope));

    /// <summary>x · <paramref name="factor"/> (a scalar).</summary>
    public string Scale(string x, float factor) => Node("Mul", [x, Constant([factor])]);

    /// <summary>Elementwise sum.</summary>
    public string Add(string a, string b) => Node("Add", [a, b]);

    /// <summary>Channel concatenation (axis 1).</summary>
    public string ConcatChannels(params string[] values) => Node("Concat", values, IntAttribute("axis", 1));

    /// <summary>Nearest-neighbour ×2 upsampling of an NCHW tensor (Resize with scales).</summary>
    public string UpsampleNearest2x(string x) =>
        Node("Resize", [x, string.Empty, Constant([1, 1, 2, 2], 4)], TextAttribute("mode", "nearest"), TextAttribute("nearest_mode", "floor"),
            TextAttribute("coordinate_transformation_mode", "asymmetric"));

    private string DepthwiseWeight(int channels, float[] kernel, int size)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var weight = new float[channels * kernel.Length];
        for (int c = 0; c < channels; c++)
        {
            kernel.CopyTo(weight, c * kernel.Length);
        }

        return Constant(weight, channels, 1, size, size);
    }

    /// <summary>The finished model: opset 17, IR version 8, with the doc string and metadata given.</summary>
    public ModelProto Build(string docString, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "RestoreGrpc.Benchmarks",
            DocString = docString,
            Graph = _graph,
            OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = Opset } },
        };
        model.MetadataProps.Add(metadata.Select(entry => new StringStringEntryProto { Key = entry.Key, Value = entry.Value }));
        return model;
    }

    public static AttributeProto IntAttribute(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto IntsAttribute(string name, params long[] values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };

    public static AttributeProto FloatAttribute(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto TextAttribute(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private string Initializer(TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, params long[] dimensions)
    {
        string name = NewName("w");
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.Add(dimensions);
        _graph.Initializer.Add(tensor);
        return name;
    }

    private string NewName(string prefix) => $"{prefix}_{_nextValue++}";

    private static ValueInfoProto TensorValue(string name, object[] dimensions)
    {
        var shape = new TensorShapeProto();
        foreach (object dimension in dimensions)
        {
            shape.Dim.Add(dimension switch
            {
                string parameter => new TensorShapeProto.Types.Dimension { DimParam = parameter },
                long value => new TensorShapeProto.Types.Dimension { DimValue = value },
                int value => new TensorShapeProto.Types.Dimension { DimValue = value },
                _ => throw new ArgumentException($"A dimension is a long or a string, not {dimension}.", nameof(dimensions)),
            });
        }

        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
