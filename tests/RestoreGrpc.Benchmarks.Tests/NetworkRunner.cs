using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RestoreGrpc.Benchmarks.Networks;

namespace RestoreGrpc.Benchmarks.Tests;

/// <summary>Runs a generated network on ONNX Runtime's CPU provider from its serialised bytes, as a file would load.</summary>
internal static class NetworkRunner
{
    public static InferenceSession Open(GeneratedNetwork network) => new(network.Model.ToByteArray());

    /// <summary>The output for a seeded input uniform on [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static DenseTensor<float> Run(InferenceSession session, int[] inputShape, float low, float high)
    {
        var random = new Random(7);
        var input = new DenseTensor<float>(inputShape);
        for (int i = 0; i < input.Length; i++)
        {
            input.SetValue(i, low + ((high - low) * random.NextSingle()));
        }

        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        DisposableNamedOnnxValue output = Assert.Single(results);
        Assert.Equal("output", output.Name);
        return (DenseTensor<float>)output.AsTensor<float>().Clone();
    }

    /// <summary>Every value finite, and not all the same (a network that lost its input would be constant).</summary>
    public static void AssertFiniteAndVaried(DenseTensor<float> output)
    {
        ReadOnlySpan<float> values = output.Buffer.Span;
        Assert.All(values.ToArray(), value => Assert.True(float.IsFinite(value), $"non-finite output {value}"));
        double mean = 0;
        foreach (float value in values)
        {
            mean += value;
        }

        mean /= values.Length;
        double variance = 0;
        foreach (float value in values)
        {
            variance += (value - mean) * (value - mean);
        }

        Assert.True(variance / values.Length > 1e-12, $"output is constant ({mean})");
    }
}
