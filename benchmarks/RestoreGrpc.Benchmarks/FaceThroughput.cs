using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// Faces per second through a GPEN-contract restorer ([N,3,512,512] in [-1,1]), or through an SR network producing
/// 512×512 from size×size: batches of N crops vs one crop per run, same session, same crops.
/// </summary>
internal static class FaceThroughput
{
    /// <summary>The <c>--faces</c> table: <paramref name="restorer"/> at 512², and realesr-general-x4v3 making 512²
    /// from 128² (an SR-sized load per crop; the stand-in costs almost nothing), by threads and batch 1, 4, 8.</summary>
    public static void PrintTable(string restorer, string modelsDirectory, int[] threadCounts, int faces)
    {
        Console.WriteLine($"| model | threads | batch | faces/s |");
        Console.WriteLine("|---|---|---|---|");
        (string File, int Size, int Scale)[] loads = [(restorer, 512, 1), (Path.Combine(modelsDirectory, "realesr-general-x4v3.onnx"), 128, 4)];
        foreach ((string file, int size, int scale) in loads)
        {
            foreach (int threads in threadCounts)
            {
                foreach (int batch in new[] { 1, 4, 8 })
                {
                    double rate = FacesPerSecond(file, threads, batch, faces, size, scale);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {Path.GetFileName(file)} ({size}² → {size * scale}²) | {threads} | {batch} | {rate:F1} |"));
                }
            }
        }
    }

    public static double FacesPerSecond(string modelPath, int threads, int batch, int faces, int size = 512, int scale = 1)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(modelPath, options);
        int plane = 3 * size * size;
        float[] input = new float[batch * plane];
        float[] output = new float[batch * plane * scale * scale];
        var random = new Random(3);
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)((random.NextDouble() * 2) - 1);
        }

        long[] shape = [batch, 3, size, size];
        string inputName = session.InputNames[0], outputName = session.OutputNames[0];

        void RunOnce()
        {
            using var runOptions = new RunOptions();
            using OrtValue inValue = OrtValue.CreateTensorValueFromMemory(input, shape);
            using OrtValue outValue = OrtValue.CreateTensorValueFromMemory(output, [batch, 3, size * scale, size * scale]);
            session.Run(runOptions, [inputName], [inValue], [outputName], [outValue]);
        }

        RunOnce();
        int runs = Math.Max(1, faces / batch);
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < runs; i++)
        {
            RunOnce();
        }

        return runs * batch / watch.Elapsed.TotalSeconds;
    }
}
