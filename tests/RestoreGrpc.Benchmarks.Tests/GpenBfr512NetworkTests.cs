using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Benchmarks.Networks;

namespace RestoreGrpc.Benchmarks.Tests;

/// <summary>
/// The full 512 network (≈274 GFLOP) is checked by its counts against GPEN-BFR-512's published figures; running is
/// checked on the same code at reduced channel widths (narrow), which keep the 512 topology, and at size 64.
/// </summary>
public sealed class GpenBfr512NetworkTests
{
    private static readonly Lazy<GeneratedNetwork> Full = new(() => GpenBfr512Network.Build());

    [Fact]
    public void Parameter_count_at_512_matches_the_published_71_M()
    {
        Assert.InRange(Full.Value.Parameters / 1e6, 70.0, 72.0);
    }

    [Fact]
    public void Flops_at_512_match_the_published_274_GFLOP()
    {
        Assert.InRange(Full.Value.Flops / 1e9, 274 * 0.97, 274 * 1.03);
        Assert.Equal("per 512×512 face", Full.Value.FlopsBasis);
    }

    [Fact]
    public void Full_network_opens_in_onnx_runtime_with_the_face_restorer_contract()
    {
        using InferenceSession session = NetworkRunner.Open(Full.Value);
        NodeMetadata input = Assert.Single(session.InputMetadata, entry => entry.Key == "input").Value;
        NodeMetadata output = Assert.Single(session.OutputMetadata, entry => entry.Key == "output").Value;
        Assert.Equal([-1, 3, 512, 512], input.Dimensions);
        Assert.Equal([-1, 3, 512, 512], output.Dimensions);
        Assert.Equal("random weights, for speed measurement only", session.ModelMetadata.CustomMetadataMap["purpose"]);
    }

    [Fact]
    public void The_512_topology_runs_at_narrow_width_with_finite_varied_output()
    {
        using InferenceSession session = NetworkRunner.Open(GpenBfr512Network.Build(512, 1.0 / 16));
        var output = NetworkRunner.Run(session, [1, 3, 512, 512], -1, 1);
        Assert.Equal([1, 3, 512, 512], output.Dimensions.ToArray());
        NetworkRunner.AssertFiniteAndVaried(output);
    }

    [Fact]
    public void A_size_64_variant_runs_with_a_dynamic_batch()
    {
        using InferenceSession session = NetworkRunner.Open(GpenBfr512Network.Build(64, 0.25));
        var output = NetworkRunner.Run(session, [2, 3, 64, 64], -1, 1);
        Assert.Equal([2, 3, 64, 64], output.Dimensions.ToArray());
        NetworkRunner.AssertFiniteAndVaried(output);
    }
}
