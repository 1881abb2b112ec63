using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using RestoreGrpc.Core.Models.Precision;
using RestoreGrpc.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Tests.Models.Precision;

/// <summary>Shared models converted in memory, photo crops as NCHW tensors, and CPU sessions to run them.</summary>
internal static class Fp16TestModels
{
    /// <summary>The shared model parsed, and its float16 conversion (with the report).</summary>
    public static (ModelProto Original, ModelProto Converted, Fp16ConversionReport Report) Convert(string sharedModel)
    {
        byte[] bytes = File.ReadAllBytes(SharedAssets.Model(sharedModel));
        ModelProto converted = ModelProto.Parser.ParseFrom(bytes);
        Fp16ConversionReport report = Fp16Conversion.Convert(converted);
        return (ModelProto.Parser.ParseFrom(bytes), converted, report);
    }

    public static InferenceSession CpuSession(ModelProto model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = Math.Min(Environment.ProcessorCount, 4), LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        return new InferenceSession(model.ToByteArray(), options);
    }

    /// <summary>A <paramref name="size"/>² crop of a shared photo at (<paramref name="left"/>, <paramref name="top"/>),
    /// as 1×3×size×size RGB in [0,1] (or [-1,1] when <paramref name="signed"/>).</summary>
    public static DenseTensor<float> Crop(string image, int left, int top, int size, bool signed = false)
    {
        using Image<Rgb24> photo = Image.Load<Rgb24>(SharedAssets.Image(image));
        photo.Mutate(x => x.Crop(new Rectangle(left, top, size, size)));
        var tensor = new DenseTensor<float>([1, 3, size, size]);
        photo.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < size; y++)
            {
                Span<Rgb24> row = rows.GetRowSpan(y);
                for (int x = 0; x < size; x++)
                {
                    tensor[0, 0, y, x] = Normalize(row[x].R, signed);
                    tensor[0, 1, y, x] = Normalize(row[x].G, signed);
                    tensor[0, 2, y, x] = Normalize(row[x].B, signed);
                }
            }
        });
        return tensor;
    }

    /// <summary>Runs the session's single input and returns its first output's values.</summary>
    public static float[] Run(InferenceSession session, DenseTensor<float> input)
    {
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results =
            session.Run([NamedOnnxValue.CreateFromTensor(session.InputNames[0], input)]);
        return [.. results[0].AsEnumerable<float>()];
    }

    /// <summary>A model output sample as an 8-bit level: round(clamp01(x)·255), after mapping [-1,1] to [0,1] when signed.</summary>
    public static int Level(float value, bool signed)
    {
        float unit = signed ? (value + 1f) / 2f : value;
        return (int)MathF.Round(Math.Clamp(unit, 0f, 1f) * 255f, MidpointRounding.AwayFromZero);
    }

    private static float Normalize(byte value, bool signed) => signed ? (value / 255f * 2f) - 1f : value / 255f;
}
