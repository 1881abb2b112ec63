using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Models.Precision;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// <c>--raw</c>: ONNX Runtime alone, through the server's own session code (<see cref="OnnxSessionFactory"/> and
/// <see cref="OnnxSessionInstance"/>), over one prepared tensor per batch size, for each precision and I/O binding
/// form: items/s, input MP/s, ms per batch, achieved TFLOP/s (from the model's known cost per input pixel), mean GPU
/// utilisation and peak GPU memory (nvidia-smi). The floor that the server's throughput is compared with.
/// </summary>
internal static class RawGpuSweep
{
    public static void Run(RawGpuSettings settings)
    {
        using var gpu = new GpuSampler();
        var results = new List<RawGpuResult>();
        Console.WriteLine(Invariant($"raw {settings.Label}: {settings.Width}x{settings.Height} ×{settings.Scale}, batches {string.Join(',', settings.Batches)}, GPU sampling {(gpu.Available ? "on" : "off")}"));
        foreach (ModelPrecision precision in settings.Precisions)
        {
            string path = settings.ModelPath;
            if (precision == ModelPrecision.Fp16)
            {
                Fp16CachedModel converted = new Fp16ModelCache(null).GetOrCreateAsync(settings.ModelPath, CancellationToken.None).GetAwaiter().GetResult();
                Console.WriteLine(Invariant($"raw {settings.Label}: fp16 copy {Path.GetFileName(converted.Path)} ({(converted.Reused ? "cached" : $"converted in {converted.ConversionTime.TotalSeconds:F1} s")})"));
                path = converted.Path;
            }

            foreach (IoBindingMode binding in settings.Bindings)
            {
                // CUDA graphs replay fixed device addresses: only device-bound inputs and outputs qualify.
                foreach (bool cudaGraph in settings.CudaGraph && binding == IoBindingMode.Device ? [false, true] : new[] { false })
                {
                    try
                    {
                        results.AddRange(Measure(settings, path, precision, binding, cudaGraph, gpu));
                    }
                    catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException or ArgumentException)
                    {
                        // One form the provider refuses must not cost the rest of the sweep.
                        Console.WriteLine($"raw {settings.Label} {precision} {binding} graph {(cudaGraph ? "on" : "off")}: failed: {e.Message.Split('\n')[0]}");
                    }
                }
            }
        }

        Directory.CreateDirectory(settings.OutputDirectory);
        string stem = Path.Combine(settings.OutputDirectory, $"raw-{settings.Label}");
        File.WriteAllText(stem + ".json", JsonSerializer.Serialize(results, SchedulerSweep.JsonOptions));
        string table = ToMarkdown(settings, results);
        File.WriteAllText(stem + ".md", table);
        Console.WriteLine(table);
    }

    private static List<RawGpuResult> Measure(RawGpuSettings settings, string path, ModelPrecision precision, IoBindingMode binding, bool cudaGraph, GpuSampler gpu)
    {
        var options = new ModelCatalogOptions
        {
            ExecutionProvider = Enum.Parse<ExecutionProviderPreference>(settings.Provider, ignoreCase: true),
            IntraOpThreads = settings.Threads,
            IoBinding = binding,
        };
        var factory = new OnnxSessionFactory(options, NullLogger.Instance)
        {
            ExtraCudaOptions = cudaGraph ? new Dictionary<string, string> { ["enable_cuda_graph"] = "1" } : null,
        };
        (IReadOnlyList<OnnxSessionInstance> instances, string provider) = factory.CreateInstances(path, 1);
        using OnnxSessionInstance instance = instances[0];
        var measured = new List<RawGpuResult>();
        foreach (int batch in settings.Batches)
        {
            if (cudaGraph && measured.Count > 0)
            {
                break; // one captured graph per session: its first shape
            }

            var random = new Random(batch);
            float[] input = new float[batch * 3 * settings.Width * settings.Height];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = settings.InputMinusOneToOne ? (2 * random.NextSingle()) - 1 : random.NextSingle();
            }

            float[] output = new float[input.Length * settings.Scale * settings.Scale];
            long[] inputShape = [batch, 3, settings.Height, settings.Width];
            long[] outputShape = [batch, 3, settings.Height * settings.Scale, settings.Width * settings.Scale];
            using var runOptions = new RunOptions();
            for (int i = 0; i < 3; i++)
            {
                instance.Run(runOptions, input, output, inputShape, outputShape);
            }

            if (!float.IsFinite(output[0]) || !float.IsFinite(output[^1]))
            {
                Console.WriteLine($"raw {settings.Label} {precision} batch {batch}: output not finite ({output[0]}, {output[^1]})");
            }

            long from = Stopwatch.GetTimestamp();
            var watch = Stopwatch.StartNew();
            int runs = 0;
            while (runs < 3 || watch.Elapsed.TotalSeconds < settings.SecondsPerConfig)
            {
                instance.Run(runOptions, input, output, inputShape, outputShape);
                runs++;
            }

            double seconds = watch.Elapsed.TotalSeconds;
            (double? utilization, double? memory) = gpu.Between(from, Stopwatch.GetTimestamp());
            double items = runs * (double)batch / seconds;
            double megapixels = items * settings.Width * settings.Height / 1e6;
            var result = new RawGpuResult(
                settings.Label, precision.ToString(), instance.Binding + (cudaGraph ? " + CUDA graph" : string.Empty), provider, batch,
                1000 * seconds / runs, items, megapixels, settings.MflopPerInputPixel > 0 ? megapixels * settings.MflopPerInputPixel / 1e6 : null,
                utilization, memory);
            measured.Add(result);
            Console.WriteLine(result);
        }

        return measured;
    }

    private static string ToMarkdown(RawGpuSettings settings, List<RawGpuResult> results)
    {
        var text = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"### Raw ONNX Runtime: {settings.Label}, {settings.Width}×{settings.Height} per item, ×{settings.Scale}");
        text.AppendLine();
        text.AppendLine("| precision | binding | provider | batch | ms/batch | items/s | input MP/s | TFLOP/s | GPU % | GPU MiB (peak) |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (RawGpuResult r in results)
        {
            text.AppendLine(c, $"| {r.Precision} | {r.Binding} | {r.Provider} | {r.Batch} | {r.MillisecondsPerBatch:F2} | {r.ItemsPerSecond:F1} | {r.InputMegapixelsPerSecond:F2} | {Format(r.TeraflopsPerSecond)} | {Format(r.GpuUtilization)} | {Format(r.GpuMemoryMiB)} |");
        }

        return text.ToString();
    }

    private static string Format(double? value) => value is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary><c>--raw</c> settings.</summary>
internal sealed record RawGpuSettings(
    string ModelPath,
    string Label,
    int Width,
    int Height,
    int Scale,
    int[] Batches,
    ModelPrecision[] Precisions,
    IoBindingMode[] Bindings,
    bool CudaGraph,
    double SecondsPerConfig,
    double MflopPerInputPixel,
    bool InputMinusOneToOne,
    int Threads,
    string Provider,
    string OutputDirectory);

/// <summary>One raw configuration's measurement.</summary>
internal sealed record RawGpuResult(
    string Label,
    string Precision,
    string Binding,
    string Provider,
    int Batch,
    double MillisecondsPerBatch,
    double ItemsPerSecond,
    double InputMegapixelsPerSecond,
    double? TeraflopsPerSecond,
    double? GpuUtilization,
    double? GpuMemoryMiB);
