using Onnx;

namespace RestoreGrpc.Benchmarks.Networks;

/// <summary>
/// A generated network of a real architecture with random weights, for speed measurement only, and what its
/// architecture costs: learnable parameters and FLOPs (2 × the multiply-accumulates of its convolutions and linear
/// layers) over <see cref="FlopsBasis"/>.
/// </summary>
/// <param name="FileName">The file name it is written under.</param>
/// <param name="Model">The ONNX model.</param>
/// <param name="Parameters">Learnable parameters (weights and biases).</param>
/// <param name="Flops">2 × multiply-accumulates over <paramref name="FlopsBasis"/>.</param>
/// <param name="FlopsBasis">What <paramref name="Flops"/> is counted over ("per input pixel", "per 512×512 face").</param>
public sealed record GeneratedNetwork(string FileName, ModelProto Model, long Parameters, double Flops, string FlopsBasis)
{
    /// <summary>2 × the multiply-accumulates of fixed filters (StyleGAN2's blur), over the same basis, not in <see cref="Flops"/>.</summary>
    public double FixedFilterFlops { get; init; }

    /// <summary>The text that every generated model carries in its doc string and metadata.</summary>
    public const string RandomWeightsNotice = "random weights, for speed measurement only";

    /// <summary>The metadata every generated model carries: the notice, and its architecture's cost.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(string architecture, long parameters, double flops, string flopsBasis) =>
        new Dictionary<string, string>
        {
            ["purpose"] = RandomWeightsNotice,
            ["architecture"] = architecture,
            ["parameters"] = parameters.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["flops"] = flops.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " " + flopsBasis,
        };
}
