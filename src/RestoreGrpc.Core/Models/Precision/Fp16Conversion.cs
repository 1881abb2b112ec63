using Onnx;

namespace RestoreGrpc.Core.Models.Precision;

/// <summary>
/// Converts an ONNX graph to float16 while its inputs and outputs stay float32. Float32 initializers and
/// <c>Constant</c> tensors become float16 where float16 operators read them; a float32 graph input is cast to float16
/// after it enters, a float16 graph output is computed under another name and cast back to float32 under its own, so
/// callers see the same names, types and shapes. Float32 stays where an operator needs it
/// (<see cref="Fp16OperatorRules"/>: Resize/Upsample scales and roi, index and sampling operators) and for arithmetic
/// on shapes (an integer cast to float is exact in float32 only: float16 stops counting exactly at 2048). Integer and
/// boolean tensors are left alone. Value infos follow the new types. Graphs with subgraphs (If, Loop, Scan) are refused.
/// </summary>
internal sealed class Fp16Conversion
{
    /// <summary>Written to the model's metadata; a cached file made by another version is converted anew.</summary>
    public const string ConverterVersion = "1";

    public const string MetadataKey = "restoregrpc.fp16.converter";

    private readonly GraphProto _graph;
    private readonly Dictionary<string, Kind> _kinds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConstantTensor> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, bool ToHalf), string> _casts = new();
    private readonly Dictionary<string, string> _renamedOutputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphOutputs;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<NodeProto> _nodes = [];
    private readonly List<(string Inner, string Output)> _pendingOutputCasts = [];
    private int _castCount;

    private Fp16Conversion(GraphProto graph)
    {
        _graph = graph;
        _graphOutputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        foreach (string name in graph.Input.Select(i => i.Name)
            .Concat(graph.Initializer.Select(t => t.Name))
            .Concat(graph.Node.SelectMany(n => n.Output))
            .Concat(graph.Node.Select(n => n.Name)))
        {
            _names.Add(name);
        }
    }

    /// <summary>How a tensor's precision is handled.</summary>
    private enum Kind
    {
        /// <summary>Not floating point (or not float32/float16): left alone.</summary>
        Other,

        /// <summary>A float32 graph input: float16 operators read it through one Cast.</summary>
        Input,

        /// <summary>Float32 computed from shapes or by float32-only operators.</summary>
        Exact,

        /// <summary>Float16 data.</summary>
        Half,
    }

    /// <summary>Converts <paramref name="model"/> in place.</summary>
    /// <returns>What was converted.</returns>
    /// <exception cref="NotSupportedException">The graph has subgraphs, or tensors in external files.</exception>
    public static Fp16ConversionReport Convert(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        GraphProto graph = model.Graph ?? throw new NotSupportedException("the model has no graph");
        if (graph.Node.FirstOrDefault(n => n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0)) is { } withSubgraph)
        {
            throw new NotSupportedException($"node '{withSubgraph.Name}' ({withSubgraph.OpType}) has a subgraph; float16 conversion handles flat graphs only");
        }

        var conversion = new Fp16Conversion(graph);
        Fp16ConversionReport report = conversion.Run();
        model.MetadataProps.Add(new StringStringEntryProto { Key = MetadataKey, Value = ConverterVersion });
        return report;
    }

    private Fp16ConversionReport Run()
    {
        var initializerNames = new HashSet<string>(_graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        foreach (TensorProto initializer in _graph.Initializer.Where(t => t.DataType == Fp16TensorConversion.Float32))
        {
            var constant = new ConstantTensor(initializer, null);
            // An initializer that is also a graph input can be overridden by the caller, in float32.
            constant.Float32Uses += _graph.Input.Any(i => i.Name == initializer.Name) ? 1 : 0;
            _constants[initializer.Name] = constant;
        }

        foreach (ValueInfoProto input in _graph.Input.Where(i => !initializerNames.Contains(i.Name)))
        {
            _kinds[input.Name] = ElementType(input) == Fp16TensorConversion.Float32 ? Kind.Input : Kind.Other;
        }

        foreach (NodeProto node in _graph.Node.ToList())
        {
            Visit(node);
        }

        foreach (string output in _graphOutputs.Where(_constants.ContainsKey))
        {
            _constants[output].Float32Uses++;
        }

        var keptFloat32 = new List<string>();
        int converted = 0;
        foreach ((string name, ConstantTensor constant) in _constants)
        {
            if (constant.HalfUses.Count == 0)
            {
                keptFloat32.Add(name);
            }
            else if (constant.Float32Uses == 0)
            {
                Fp16TensorConversion.ConvertInPlace(constant.Tensor);
                _kinds[name] = Kind.Half;
                converted++;
            }
            else
            {
                AddHalfCopy(name, constant);
                keptFloat32.Add(name);
                converted++;
            }
        }

        _graph.Node.Clear();
        _graph.Node.AddRange(_nodes);
        foreach (ValueInfoProto info in _graph.ValueInfo)
        {
            if (_kinds.GetValueOrDefault(info.Name) == Kind.Half && info.Type?.TensorType is { } tensorType)
            {
                tensorType.ElemType = Fp16TensorConversion.Float16;
            }
        }

        return new Fp16ConversionReport(converted, keptFloat32, _castCount);
    }

    private void Visit(NodeProto node)
    {
        if (node.OpType == "Constant" && node.Domain is "" or "ai.onnx")
        {
            VisitConstant(node);
            return;
        }

        for (int i = 0; i < node.Input.Count; i++)
        {
            if (_renamedOutputs.TryGetValue(node.Input[i], out string? renamed))
            {
                node.Input[i] = renamed;
            }
        }

        if (node.OpType == "Cast" && node.Domain is "" or "ai.onnx")
        {
            VisitCast(node);
            return;
        }

        bool anyFloat = false;
        bool half = false;
        for (int i = 0; i < node.Input.Count; i++)
        {
            Kind kind = KindOf(node.Input[i], out bool constant);
            if (kind != Kind.Other && !Fp16OperatorRules.RequiresFloat32Input(node, i))
            {
                anyFloat = true;
                half |= !constant && kind is Kind.Half or Kind.Input;
            }
        }

        half &= !Fp16OperatorRules.KeepsFloat32(node);
        for (int i = 0; i < node.Input.Count; i++)
        {
            string name = node.Input[i];
            Kind kind = KindOf(name, out bool constant);
            if (kind == Kind.Other)
            {
                continue;
            }

            bool wantHalf = half && !Fp16OperatorRules.RequiresFloat32Input(node, i);
            if (constant)
            {
                if (wantHalf)
                {
                    _constants[name].HalfUses.Add((node, i));
                }
                else
                {
                    _constants[name].Float32Uses++;
                }
            }
            else if (wantHalf != (kind == Kind.Half))
            {
                node.Input[i] = CastOf(name, wantHalf);
            }
        }

        bool madeFloat32 = !anyFloat && Fp16OperatorRules.MakesFloat32FromNothing(node);
        for (int i = 0; i < node.Output.Count; i++)
        {
            Kind kind = madeFloat32 ? Kind.Exact
                : !anyFloat || !Fp16OperatorRules.IsFloatOutput(node, i) ? Kind.Other
                : half ? Kind.Half : Kind.Exact;
            SetOutput(node, i, kind);
        }

        Emit(node);
    }

    /// <summary>
    /// A Cast to float32 of float data becomes a Cast to float16; a cast of integers to float32 stays (shape
    /// arithmetic keeps exact integers).
    /// </summary>
    private void VisitCast(NodeProto node)
    {
        AttributeProto to = node.Attribute.First(a => a.Name == "to");
        Kind source = node.Input.Count > 0 ? KindOf(node.Input[0], out _) : Kind.Other;
        if (node.Input.Count > 0 && _constants.TryGetValue(node.Input[0], out ConstantTensor? read))
        {
            read.Float32Uses++;
        }

        Kind kind = Kind.Other;
        if (to.I == Fp16TensorConversion.Float32)
        {
            // A graph output keeps its float32 Cast: that is the cast back.
            if (source is Kind.Half or Kind.Input && !_graphOutputs.Contains(node.Output[0]))
            {
                to.I = Fp16TensorConversion.Float16;
                kind = Kind.Half;
            }
            else
            {
                kind = Kind.Exact;
            }
        }
        else if (to.I == Fp16TensorConversion.Float16)
        {
            kind = Kind.Half;
        }

        SetOutput(node, 0, kind);
        Emit(node);
    }

    private void VisitConstant(NodeProto node)
    {
        AttributeProto? value = node.Attribute.FirstOrDefault(a => a.Name == "value");
        AttributeProto? scalars = node.Attribute.FirstOrDefault(a => a.Name is "value_float" or "value_floats");
        if (value is null && scalars is not null)
        {
            // A float attribute is float32 by definition; as a tensor attribute it can become float16.
            var tensor = new TensorProto { DataType = Fp16TensorConversion.Float32 };
            if (scalars.Name == "value_float")
            {
                tensor.FloatData.Add(scalars.F);
            }
            else
            {
                tensor.Dims.Add(scalars.Floats.Count);
                tensor.FloatData.AddRange(scalars.Floats);
            }

            node.Attribute.Remove(scalars);
            value = new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor };
            node.Attribute.Add(value);
        }

        string output = node.Output[0];
        if (value?.T is { } t && t.DataType == Fp16TensorConversion.Float32)
        {
            _constants[output] = new ConstantTensor(t, node);
        }
        else
        {
            _kinds[output] = Kind.Other;
        }

        Emit(node);
    }

    private Kind KindOf(string name, out bool constant)
    {
        constant = false;
        if (name.Length == 0)
        {
            return Kind.Other;
        }

        if (_constants.ContainsKey(name))
        {
            constant = true;
            return Kind.Exact;
        }

        // A name the graph never produced (an outer-scope value) is left alone.
        return _kinds.GetValueOrDefault(name, Kind.Other);
    }

    /// <summary>Records an output's kind; a float16 graph output is renamed and cast back to float32 under its name.</summary>
    private void SetOutput(NodeProto node, int index, Kind kind)
    {
        string name = node.Output[index];
        if (name.Length == 0)
        {
            return;
        }

        if (kind == Kind.Half && _graphOutputs.Contains(name))
        {
            string inner = Unique(name + "_fp16");
            node.Output[index] = inner;
            _kinds[inner] = Kind.Half;
            _kinds[name] = Kind.Exact;
            _renamedOutputs[name] = inner;
            _pendingOutputCasts.Add((inner, name));
            return;
        }

        _kinds[name] = kind;
    }

    private void Emit(NodeProto node)
    {
        _nodes.Add(node);
        foreach ((string inner, string output) in _pendingOutputCasts)
        {
            _nodes.Add(Cast(inner, output, toHalf: false));
        }

        _pendingOutputCasts.Clear();
    }

    /// <summary>The name of <paramref name="name"/> cast to float16 (or float32), emitting the Cast on first use.</summary>
    private string CastOf(string name, bool toHalf)
    {
        if (!_casts.TryGetValue((name, toHalf), out string? cast))
        {
            cast = Unique(name + (toHalf ? "_fp16" : "_fp32"));
            _kinds[cast] = toHalf ? Kind.Half : Kind.Exact;
            _nodes.Add(Cast(name, cast, toHalf));
            _casts[(name, toHalf)] = cast;
        }

        return cast;
    }

    private NodeProto Cast(string input, string output, bool toHalf)
    {
        _castCount++;
        var node = new NodeProto { OpType = "Cast", Name = Unique($"fp16_cast_{_castCount}") };
        node.Input.Add(input);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto
        {
            Name = "to",
            Type = AttributeProto.Types.AttributeType.Int,
            I = toHalf ? Fp16TensorConversion.Float16 : Fp16TensorConversion.Float32,
        });
        return node;
    }

    /// <summary>A constant read both ways keeps its float32 tensor and gains a float16 copy for the float16 readers.</summary>
    private void AddHalfCopy(string name, ConstantTensor constant)
    {
        string copyName = Unique(name + "_fp16");
        TensorProto copy = Fp16TensorConversion.ConvertedCopy(constant.Tensor, copyName);
        if (constant.ConstantNode is null)
        {
            _graph.Initializer.Add(copy);
        }
        else
        {
            copy.Name = string.Empty;
            var node = new NodeProto { OpType = "Constant", Name = Unique(copyName + "_constant") };
            node.Output.Add(copyName);
            node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = copy });
            _nodes.Insert(_nodes.IndexOf(constant.ConstantNode) + 1, node);
        }

        _kinds[copyName] = Kind.Half;
        foreach ((NodeProto reader, int index) in constant.HalfUses)
        {
            reader.Input[index] = copyName;
        }
    }

    private string Unique(string wanted)
    {
        string name = wanted;
        for (int i = 1; !_names.Add(name); i++)
        {
            name = $"{wanted}_{i}";
        }

        return name;
    }

    private static int ElementType(ValueInfoProto info) => info.Type?.TensorType?.ElemType ?? 0;

    /// <summary>A float32 initializer or Constant tensor and who reads it in which precision.</summary>
    private sealed class ConstantTensor(TensorProto tensor, NodeProto? constantNode)
    {
        public TensorProto Tensor { get; } = tensor;

        /// <summary>The Constant node holding it; null for an initializer.</summary>
        public NodeProto? ConstantNode { get; } = constantNode;

        public List<(NodeProto Node, int Index)> HalfUses { get; } = [];

        public int Float32Uses { get; set; }
    }
}
