namespace RestoreGrpc.Benchmarks.Networks;

/// <summary>
/// GPEN's FullGenerator(size, style_dim=512, n_mlp=8, channel_multiplier=2, narrow, isconcat=True), the architecture of
/// GPEN-BFR-512 at size 512 and narrow 1, with deterministic random weights: random weights, for speed measurement
/// only; its output is not a restoration.
/// <para>
/// Encoder: ConvLayer(3, ch[size], 1), then one downsampling ConvLayer 3×3 per level (blur, stride-2 conv, fused
/// LeakyReLU) down to 4×4, each level's feature kept; final EqualLinear ch[4]·16 → 512 with fused LeakyReLU. Mapping:
/// PixelNorm and 8 EqualLinear + fused LeakyReLU. Decoder (StyleGAN2): a learned 4×4 constant, StyledConv, ToRGB;
/// then per resolution 8…size an upsampling StyledConv (transposed 3×3 conv, stride 2, then the 4×4 blur) and a
/// StyledConv, and a ToRGB whose skip is upsampled by upfirdn2d (a fixed depthwise transposed conv). As GPEN does,
/// each StyledConv concatenates the encoder feature of its resolution (× a learned scalar) to its output as "noise",
/// so the next layer's input channels double. Channels ch = {4…32: 512, 64: 512, 128: 256, 256: 128, 512: 64} × narrow.
/// </para>
/// <para>
/// Modulated convolution in its non-fused form (same multiply-accumulates): the input is scaled by the style per
/// input channel, convolved with the shared weight, and each output channel multiplied by its demodulation factor
/// 1/√(Σ (w·s)² + 1e-8), computed from the weight's per-channel squared sums and the squared style.
/// Equalised learning-rate scales are folded into the stored weights (standard deviation 1/√fan-in); modulation
/// biases start at 1 and the noise scalars at 0.1 (GPEN starts them at 0), so the encoder's features reach the output.
/// </para>
/// <para>
/// At 512: 71,005,223 parameters (published: 71 M) and, counting 2 × the multiply-accumulates of its convolutions
/// and linear layers (a transposed convolution over its input grid, as it computes), 274.1 GFLOP per face
/// (published ≈274 GFLOP); the fixed blur filters add 2.1 GFLOP more, counted apart
/// (<see cref="GeneratedNetwork.FixedFilterFlops"/>). Upsampling by Resize ×2 + conv instead would cost 4× in those
/// layers (≈486 GFLOP in all), which is why the transposed form is kept.
/// I/O: <c>input</c> [N,3,size,size] float32 in [-1, 1] → <c>output</c> [N,3,size,size] (GPEN's range, unclamped).
/// </para>
/// </summary>
public static class GpenBfr512Network
{
    public const string FileName = "gpen-bfr-512-random.onnx";

    private const int StyleDim = 512;
    private const int MappingLayers = 8;
    private const float Slope = 0.2f;
    private static readonly float Gain = MathF.Sqrt(2);

    /// <summary>StyleGAN2's make_kernel([1, 3, 3, 1]): the outer product, normalised to sum 1.</summary>
    private static readonly float[] Blur = MakeBlurKernel();

    /// <summary>Builds the network at <paramref name="size"/> (a power of two, 8…1024) and channel scale <paramref name="narrow"/>; FLOPs per image.</summary>
    public static GeneratedNetwork Build(int size = 512, double narrow = 1, ulong seed = 512)
    {
        int logSize = (int)Math.Round(Math.Log2(size));
        if (size < 8 || size > 1024 || 1 << logSize != size)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A power of two from 8 to 1024.");
        }

        var g = new OnnxGraphBuilder($"gpen_{size}_random", new SeededWeights(seed));
        int Channels(int resolution) => Math.Max(1, (int)(narrow * resolution switch
        {
            <= 32 => 512,
            64 => 512,
            128 => 256,
            256 => 128,
            512 => 64,
            _ => 32,
        }));

        string x = g.Input("input", "N", 3L, (long)size, (long)size);

        // Encoder: the features by resolution, largest first.
        var features = new Dictionary<int, string>();
        string h = ConvLayer(g, x, 3, Channels(size), 1, size, downsample: false);
        features[size] = h;
        for (int resolution = size / 2; resolution >= 4; resolution /= 2)
        {
            h = ConvLayer(g, h, Channels(resolution * 2), Channels(resolution), 3, resolution, downsample: true);
            features[resolution] = h;
        }

        string code = FusedLeakyRelu(g, g.Linear(g.Node("Flatten", [h], OnnxGraphBuilder.IntAttribute("axis", 1)), Channels(4) * 16, StyleDim,
            1 / Math.Sqrt(Channels(4) * 16)));

        // Mapping network: PixelNorm, then n_mlp EqualLinear with fused LeakyReLU.
        string w = PixelNorm(g, code);
        for (int i = 0; i < MappingLayers; i++)
        {
            w = FusedLeakyRelu(g, g.Linear(w, StyleDim, StyleDim, 1 / Math.Sqrt(StyleDim)));
        }

        // Decoder.
        string constant = g.Parameter(g.Weights.Uniform(Channels(4) * 16L, 1), 1, Channels(4), 4, 4);
        string batch = g.Node("Slice", [g.Node("Shape", [x]), g.Int64Constant(0), g.Int64Constant(1)]);
        string constantShape = g.Node("Concat", [batch, g.Int64Constant(Channels(4), 4, 4)], OnnxGraphBuilder.IntAttribute("axis", 0));
        string output = g.Node("Expand", [constant, constantShape]);
        output = StyledConv(g, output, w, Channels(4), Channels(4), 4, upsample: false, features[4]);
        string skip = ToRgb(g, output, w, Channels(4) * 2, 4, skip: null);
        for (int resolution = 8; resolution <= size; resolution *= 2)
        {
            int outChannels = Channels(resolution);
            output = StyledConv(g, output, w, Channels(resolution / 2) * 2, outChannels, resolution, upsample: true, features[resolution]);
            output = StyledConv(g, output, w, outChannels * 2, outChannels, resolution, upsample: false, features[resolution]);
            skip = ToRgb(g, output, w, outChannels * 2, resolution, skip);
        }

        g.Output(skip, "output", "N", 3L, (long)size, (long)size);

        double flops = 2 * g.MultiplyAccumulates;
        string basis = $"per {size}×{size} face";
        string architecture = $"GPEN FullGenerator(size={size}, style_dim=512, n_mlp=8, channel_multiplier=2, narrow={narrow})";
        string doc = $"{architecture}, the GPEN-BFR-{size} architecture, {GeneratedNetwork.RandomWeightsNotice}: not a restoration model.";
        return new GeneratedNetwork(FileName, g.Build(doc, GeneratedNetwork.Metadata(architecture, g.ParameterCount, flops, basis)),
            g.ParameterCount, flops, basis) { FixedFilterFlops = 2 * g.FixedFilterMultiplyAccumulates };
    }

    /// <summary>StyleGAN2's ConvLayer with fused LeakyReLU; downsampling: blur (pad 2, 2), then the conv with stride 2 and no padding.</summary>
    private static string ConvLayer(OnnxGraphBuilder g, string x, int inChannels, int outChannels, int kernel, int outResolution, bool downsample)
    {
        double std = 1 / Math.Sqrt(inChannels * kernel * kernel);
        if (!downsample)
        {
            return FusedLeakyRelu(g, g.Conv(x, inChannels, outChannels, kernel, (double)outResolution * outResolution, std, null), outChannels);
        }

        int blurred = (outResolution * 2) + 1;
        x = g.DepthwiseFilter(x, inChannels, Blur, 4, (double)blurred * blurred, 2, 2);
        return FusedLeakyRelu(g, g.Conv(x, inChannels, outChannels, kernel, (double)outResolution * outResolution, std, null, stride: 2, padding: 0), outChannels);
    }

    /// <summary>
    /// StyledConv: modulated 3×3 conv (upsampling: transposed, stride 2, then the blur ×4 with pads 1, 1), then the
    /// encoder feature × a learned scalar concatenated as GPEN's "noise", then fused LeakyReLU on both halves.
    /// </summary>
    private static string StyledConv(OnnxGraphBuilder g, string x, string w, int inChannels, int outChannels, int resolution, bool upsample, string feature)
    {
        string style = g.Linear(w, StyleDim, inChannels, 1 / Math.Sqrt(StyleDim), biasValue: 1);
        string modulated = g.Node("Mul", [x, Unsqueeze(g, style)]);
        double std = 1 / Math.Sqrt(inChannels * 9.0);
        string output;
        string squaredSums;
        if (upsample)
        {
            // ConvTranspose weight layout [in, out, k, k], as GPEN's transposed view of the modulated weight.
            string weight = g.Parameter(g.Weights.Uniform((long)inChannels * outChannels * 9, std), inChannels, outChannels, 3, 3);
            output = g.Node("ConvTranspose", [modulated, weight], OnnxGraphBuilder.IntsAttribute("kernel_shape", 3, 3), OnnxGraphBuilder.IntsAttribute("strides", 2, 2));
            g.CountMultiplyAccumulates((double)inChannels * outChannels * 9 * (resolution / 2) * (resolution / 2));
            squaredSums = SquaredSums(g, weight);
            output = g.Node("Mul", [output, Demodulation(g, style, squaredSums, inChannels, outChannels, transB: 0)]);
            output = g.DepthwiseFilter(output, outChannels, [.. Blur.Select(v => v * 4)], 4, (double)resolution * resolution, 1, 1);
        }
        else
        {
            string weight = g.Parameter(g.Weights.Uniform((long)outChannels * inChannels * 9, std), outChannels, inChannels, 3, 3);
            output = g.Node("Conv", [modulated, weight], OnnxGraphBuilder.IntsAttribute("kernel_shape", 3, 3), OnnxGraphBuilder.IntsAttribute("pads", 1, 1, 1, 1));
            g.CountMultiplyAccumulates((double)outChannels * inChannels * 9 * resolution * resolution);
            squaredSums = SquaredSums(g, weight);
            output = g.Node("Mul", [output, Demodulation(g, style, squaredSums, inChannels, outChannels, transB: 1)]);
        }

        string noiseWeight = g.Parameter([0.1f], 1);
        output = g.ConcatChannels(output, g.Node("Mul", [feature, noiseWeight]));
        return FusedLeakyRelu(g, output, outChannels * 2);
    }

    /// <summary>ToRGB: modulated 1×1 conv to 3 channels without demodulation, a bias, plus the previous skip upsampled by upfirdn2d.</summary>
    private static string ToRgb(OnnxGraphBuilder g, string x, string w, int inChannels, int resolution, string? skip)
    {
        string style = g.Linear(w, StyleDim, inChannels, 1 / Math.Sqrt(StyleDim), biasValue: 1);
        string rgb = g.Conv(g.Node("Mul", [x, Unsqueeze(g, style)]), inChannels, 3, 1, (double)resolution * resolution, 1 / Math.Sqrt(inChannels), null);
        rgb = g.Add(rgb, g.Parameter(new float[3], 1, 3, 1, 1));
        if (skip is null)
        {
            return rgb;
        }

        double previousPixels = (double)(resolution / 2) * (resolution / 2);
        return g.Add(rgb, g.DepthwiseUpsample2x(skip, 3, [.. Blur.Select(v => v * 4)], 4, previousPixels, 1));
    }

    /// <summary>Σ over the kernel window of the squared weight: [out, in] (Conv layout) or [in, out] (ConvTranspose layout).</summary>
    private static string SquaredSums(OnnxGraphBuilder g, string weight) =>
        g.Node("ReduceSum", [g.Node("Mul", [weight, weight]), g.Int64Constant(2, 3)], OnnxGraphBuilder.IntAttribute("keepdims", 0));

    /// <summary>1/√(s²·Σw² + 1e-8) per sample and output channel, as [N, out, 1, 1].</summary>
    private static string Demodulation(OnnxGraphBuilder g, string style, string squaredSums, int inChannels, int outChannels, long transB)
    {
        string energy = g.Node("Gemm", [g.Node("Mul", [style, style]), squaredSums], OnnxGraphBuilder.IntAttribute("transB", transB));
        g.CountMultiplyAccumulates((double)inChannels * outChannels);
        return Unsqueeze(g, g.Node("Reciprocal", [g.Node("Sqrt", [g.Add(energy, g.Constant([1e-8f]))])]));
    }

    /// <summary>PixelNorm: x / √(mean(x², channels) + 1e-8).</summary>
    private static string PixelNorm(OnnxGraphBuilder g, string x)
    {
        string meanSquare = g.Node("ReduceMean", [g.Node("Mul", [x, x])], OnnxGraphBuilder.IntsAttribute("axes", 1), OnnxGraphBuilder.IntAttribute("keepdims", 1));
        return g.Node("Div", [x, g.Node("Sqrt", [g.Add(meanSquare, g.Constant([1e-8f]))])]);
    }

    /// <summary>FusedLeakyReLU: LeakyReLU 0.2 of (x + bias) × √2; the bias (per channel, zero) when <paramref name="channels"/> is given (a Linear already has one).</summary>
    private static string FusedLeakyRelu(OnnxGraphBuilder g, string x, int? channels = null)
    {
        if (channels is { } c)
        {
            x = g.Add(x, g.Parameter(new float[c], 1, c, 1, 1));
        }

        return g.Scale(g.LeakyRelu(x, Slope), Gain);
    }

    /// <summary>[N, C] → [N, C, 1, 1].</summary>
    private static string Unsqueeze(OnnxGraphBuilder g, string x) => g.Node("Unsqueeze", [x, g.Int64Constant(2, 3)]);

    private static float[] MakeBlurKernel()
    {
        float[] taps = [1, 3, 3, 1];
        var kernel = new float[16];
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                kernel[(i * 4) + j] = taps[i] * taps[j] / 64f;
            }
        }

        return kernel;
    }
}
