using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// The floor: ONNX Runtime <c>Run</c> alone over the tensors of a tile plan, prepared beforehand, in this process.
/// No decoding, tiling, assembly, encoding or RPC.
/// </summary>
internal static class RawInference
{
    public static double SecondsPerImage(string modelPath, string imagePath, int threads, TilePlan plan, int runs)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        using var session = new InferenceSession(modelPath, options);
        using Image<Rgb24> image = Image.Load<Rgb24>(imagePath);

        float[][] tiles = plan.Tiles.Select(tile => Extract(image, tile.Window)).ToArray();
        long[] shape = [1, 3, plan.WindowHeight, plan.WindowWidth];
        float[] output = new float[3 * plan.WindowWidth * plan.WindowHeight * plan.Scale * plan.Scale];
        long[] outputShape = [1, 3, plan.WindowHeight * plan.Scale, plan.WindowWidth * plan.Scale];
        string input = session.InputNames[0];
        string outputName = session.OutputNames[0];

        void RunAll()
        {
            using var runOptions = new RunOptions();
            using OrtValue outputValue = OrtValue.CreateTensorValueFromMemory(output, outputShape);
            foreach (float[] tile in tiles)
            {
                using OrtValue inputValue = OrtValue.CreateTensorValueFromMemory(tile, shape);
                session.Run(runOptions, [input], [inputValue], [outputName], [outputValue]);
            }
        }

        RunAll(); // warm-up: kernel selection and arena growth for this shape
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            RunAll();
            times.Add(watch.Elapsed.TotalSeconds);
        }

        return Percentiles.Median(times);
    }

    private static float[] Extract(Image<Rgb24> image, PixelRect window)
    {
        int plane = window.Width * window.Height;
        float[] tensor = new float[3 * plane];
        for (int y = 0; y < window.Height; y++)
        {
            for (int x = 0; x < window.Width; x++)
            {
                Rgb24 p = image[ReflectPadding.Map(window.X + x, image.Width), ReflectPadding.Map(window.Y + y, image.Height)];
                int i = (y * window.Width) + x;
                tensor[i] = p.R / 255f;
                tensor[plane + i] = p.G / 255f;
                tensor[(2 * plane) + i] = p.B / 255f;
            }
        }

        return tensor;
    }
}
