using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RestoreGrpc.Core.Tests.Models.Precision;

/// <summary>
/// The float16 graph gives the float32 graph's picture: on real photo crops, every 8-bit output level is within 2 of
/// the float32 model's (ONNX Runtime's CPU provider runs float16 graphs, casting around kernels it has only in
/// float32, so every tensor between nodes is rounded to float16 as on a GPU). The reference is the unchanged float32
/// model; zeroed or scrambled weights, a wrong cast or a dropped bias would move levels by far more than 2.
/// </summary>
public sealed class Fp16FidelityTests
{
    private const int MaxLevelDifference = 2;

    public static TheoryData<string, int> SuperResolutionModels => new()
    {
        { "realesr-general-x4v3.onnx", 4 },
        { "realesr-animevideov3-x4.onnx", 4 },
        { "realesrganv2-animevideo-x2.onnx", 2 },
    };

    [Theory]
    [MemberData(nameof(SuperResolutionModels))]
    public void Super_resolution_in_fp16_is_within_two_levels_of_fp32_on_real_photos(string model, int scale)
    {
        (Onnx.ModelProto original, Onnx.ModelProto converted, _) = Fp16TestModels.Convert(model);
        using InferenceSession fp32 = Fp16TestModels.CpuSession(original);
        using InferenceSession fp16 = Fp16TestModels.CpuSession(converted);
        DenseTensor<float>[] crops =
        [
            Fp16TestModels.Crop("building.jpg", 380, 220, 96),
            Fp16TestModels.Crop("baboon.jpg", 200, 150, 96),
        ];

        foreach (DenseTensor<float> crop in crops)
        {
            float[] expected = Fp16TestModels.Run(fp32, crop);
            float[] actual = Fp16TestModels.Run(fp16, crop);
            Assert.Equal(3 * 96 * scale * 96 * scale, expected.Length);
            Compare(model, expected, actual, signed: false);
        }
    }

    [Theory]
    [InlineData("face-standin-256.onnx", 256)]
    [InlineData("face-standin-512.onnx", 512)]
    public void The_face_stand_in_in_fp16_is_within_two_levels_of_fp32(string model, int size)
    {
        (Onnx.ModelProto original, Onnx.ModelProto converted, _) = Fp16TestModels.Convert(model);
        using InferenceSession fp32 = Fp16TestModels.CpuSession(original);
        using InferenceSession fp16 = Fp16TestModels.CpuSession(converted);
        // The astronaut's face (a 256 crop around it, or the whole 512 portrait).
        DenseTensor<float> face = size == 512 ? Fp16TestModels.Crop("astronaut.png", 0, 0, 512, signed: true) : Fp16TestModels.Crop("astronaut.png", 110, 20, 256, signed: true);
        Compare(model, Fp16TestModels.Run(fp32, face), Fp16TestModels.Run(fp16, face), signed: true);
    }

    private static void Compare(string model, float[] expected, float[] actual, bool signed)
    {
        Assert.Equal(expected.Length, actual.Length);
        int max = 0;
        long sum = 0;
        int distinct = 0;
        int first = Fp16TestModels.Level(expected[0], signed);
        for (int i = 0; i < expected.Length; i++)
        {
            int reference = Fp16TestModels.Level(expected[i], signed);
            int difference = Math.Abs(reference - Fp16TestModels.Level(actual[i], signed));
            max = Math.Max(max, difference);
            sum += difference;
            distinct += reference != first ? 1 : 0;
        }

        double mean = (double)sum / expected.Length;
        TestContext.Current.TestOutputHelper?.WriteLine($"{model}: max {max} levels, mean {mean:F4} levels over {expected.Length} samples");
        Assert.True(distinct > expected.Length / 10, "the float32 reference is a flat picture; the crop shows nothing");
        Assert.True(max <= MaxLevelDifference, $"{model}: fp16 differs from fp32 by up to {max} levels (mean {mean:F4}); at most {MaxLevelDifference} allowed");
    }
}
