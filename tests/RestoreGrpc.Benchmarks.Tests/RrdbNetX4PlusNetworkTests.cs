using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Benchmarks.Networks;

namespace RestoreGrpc.Benchmarks.Tests;

public sealed class RrdbNetX4PlusNetworkTests
{
    private static readonly Lazy<GeneratedNetwork> Network = new(() => RrdbNetX4PlusNetwork.Build());

    [Fact]
    public void Parameter_count_is_basicsr_RealESRGAN_x4plus_exactly()
    {
        // basicsr RRDBNet(3, 3, 64, 23, 32, scale=4): sum(p.numel() for p in net.parameters()) of RealESRGAN_x4plus.pth.
        Assert.Equal(16_697_987, Network.Value.Parameters);
    }

    [Fact]
    public void Flops_per_input_pixel_match_the_published_35_9_MFLOP()
    {
        Assert.InRange(Network.Value.Flops / 1e6, 35.85, 35.95);
        Assert.Equal("per input pixel", Network.Value.FlopsBasis);
    }

    [Fact]
    public void Runs_on_cpu_upscaling_16x16_to_64x64_with_finite_varied_output()
    {
        using InferenceSession session = NetworkRunner.Open(Network.Value);
        var output = NetworkRunner.Run(session, [1, 3, 16, 16], 0, 1);
        Assert.Equal([1, 3, 64, 64], output.Dimensions.ToArray());
        NetworkRunner.AssertFiniteAndVaried(output);
    }

    [Fact]
    public void Batch_height_and_width_are_dynamic()
    {
        using InferenceSession session = NetworkRunner.Open(Network.Value);
        var output = NetworkRunner.Run(session, [2, 3, 8, 12], 0, 1);
        Assert.Equal([2, 3, 32, 48], output.Dimensions.ToArray());
    }

    [Fact]
    public void Says_in_its_metadata_that_its_weights_are_random()
    {
        using InferenceSession session = NetworkRunner.Open(Network.Value);
        ModelMetadata metadata = session.ModelMetadata;
        Assert.Contains("random weights, for speed measurement only", metadata.Description, StringComparison.Ordinal);
        Assert.Equal("random weights, for speed measurement only", metadata.CustomMetadataMap["purpose"]);
        Assert.Equal(17, Assert.Single(Network.Value.Model.OpsetImport).Version);
        Assert.Equal(8, Network.Value.Model.IrVersion);
    }
}
