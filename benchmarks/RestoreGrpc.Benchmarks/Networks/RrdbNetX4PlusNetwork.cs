namespace RestoreGrpc.Benchmarks.Networks;

/// <summary>
/// basicsr's RRDBNet(num_in_ch=3, num_out_ch=3, num_feat=64, num_block=23, num_grow_ch=32, scale=4), the architecture
/// of Real-ESRGAN's RealESRGAN_x4plus, with deterministic random weights: random weights, for speed measurement only;
/// its output is not a restoration. conv_first 3→64; 23 RRDB blocks of 3 residual dense blocks (5 convs on the dense
/// concatenation 64, 96, 128, 160, 192 → 32, 32, 32, 32, 64; LeakyReLU 0.2 after the first four; x5·0.2 + x), each
/// RRDB again ·0.2 + its input; conv_body and the trunk sum; two (nearest ×2, conv, LeakyReLU); conv_hr, LeakyReLU,
/// conv_last 64→3. All 3×3, padding 1, with bias. 16,697,987 parameters, ≈35.9 MFLOP per input pixel (as published).
/// Inits as basicsr: Kaiming-normal ×0.1, zero bias, in the dense blocks; PyTorch's default elsewhere.
/// I/O: <c>input</c> [N,3,H,W] float32 → <c>output</c> [N,3,4H,4W].
/// </summary>
public static class RrdbNetX4PlusNetwork
{
    public const string FileName = "rrdbnet-x4plus-random.onnx";

    private const int Features = 64;
    private const int Growth = 32;
    private const int Blocks = 23;
    private const float Slope = 0.2f;

    /// <summary>Builds the network; FLOPs are per input pixel.</summary>
    public static GeneratedNetwork Build(ulong seed = 4)
    {
        var g = new OnnxGraphBuilder("rrdbnet_x4plus_random", new SeededWeights(seed));
        string x = g.Input("input", "N", 3L, "H", "W");

        string feat = DefaultConv(g, x, 3, Features, 1);
        string body = feat;
        for (int block = 0; block < Blocks; block++)
        {
            body = ResidualInResidualDenseBlock(g, body);
        }

        feat = g.Add(feat, DefaultConv(g, body, Features, Features, 1));
        feat = g.LeakyRelu(DefaultConv(g, g.UpsampleNearest2x(feat), Features, Features, 4), Slope);
        feat = g.LeakyRelu(DefaultConv(g, g.UpsampleNearest2x(feat), Features, Features, 16), Slope);
        string output = DefaultConv(g, g.LeakyRelu(DefaultConv(g, feat, Features, Features, 16), Slope), Features, 3, 16);
        g.Output(output, "output", "N", 3L, "H4", "W4");

        double flops = 2 * g.MultiplyAccumulates;
        const string basis = "per input pixel";
        string doc = $"RRDBNet x4plus architecture (basicsr, 23 RRDB blocks), {GeneratedNetwork.RandomWeightsNotice}: not a restoration model.";
        return new GeneratedNetwork(FileName, g.Build(doc, GeneratedNetwork.Metadata("RRDBNet x4plus (basicsr)", g.ParameterCount, flops, basis)),
            g.ParameterCount, flops, basis);
    }

    private static string ResidualInResidualDenseBlock(OnnxGraphBuilder g, string x)
    {
        string y = x;
        for (int i = 0; i < 3; i++)
        {
            y = ResidualDenseBlock(g, y);
        }

        return g.Add(g.Scale(y, 0.2f), x);
    }

    private static string ResidualDenseBlock(OnnxGraphBuilder g, string x)
    {
        var dense = new List<string> { x };
        for (int i = 0; i < 4; i++)
        {
            int inChannels = Features + (i * Growth);
            string input = dense.Count == 1 ? x : g.ConcatChannels([.. dense]);
            dense.Add(g.LeakyRelu(DenseConv(g, input, inChannels, Growth), Slope));
        }

        string x5 = DenseConv(g, g.ConcatChannels([.. dense]), Features + (4 * Growth), Features);
        return g.Add(g.Scale(x5, 0.2f), x);
    }

    /// <summary>basicsr's default_init_weights(scale=0.1): Kaiming normal (fan in, gain √2) ×0.1, zero bias.</summary>
    private static string DenseConv(OnnxGraphBuilder g, string x, int inChannels, int outChannels) =>
        g.Conv(x, inChannels, outChannels, 3, 1, 0.1 * Math.Sqrt(2.0 / (inChannels * 9)), 0);

    /// <summary>PyTorch's default Conv2d init (Kaiming uniform a=√5: std 1/√(3·fan in), bias likewise); pixels relative to the input's.</summary>
    private static string DefaultConv(OnnxGraphBuilder g, string x, int inChannels, int outChannels, double relativePixels)
    {
        double std = 1 / Math.Sqrt(3.0 * inChannels * 9);
        return g.Conv(x, inChannels, outChannels, 3, relativePixels, std, std);
    }
}
