using System.CommandLine;
using System.CommandLine.Parsing;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Models.Precision;
using static RestoreGrpc.Benchmarks.BenchmarkOptions;

namespace RestoreGrpc.Benchmarks;

/// <summary>The modes of the GPU measurement (issue 16): raw ONNX Runtime per batch size, precision and binding.</summary>
internal static partial class BenchmarkModes
{
    private static RootCommand RawMode()
    {
        Option<string> modelFile = Path("--model-file", "../shared/models/realesr-general-x4v3.onnx", "The fp32 ONNX file (fp16 is converted from it, cached beside it).", "FILE");
        Option<string> label = Text("--label", "general-x4v3-256", "Names the rows and the files written.", "NAME");
        Option<string> size = Text("--size", "256", "Item size: EDGE or WIDTHxHEIGHT (pixels).", "SIZE");
        Option<int> scale = Int("--scale", 4, "Output scale of the model (1: same size, a face restorer).");
        Option<int[]> batches = IntList("--batches", [1, 4, 8, 16], "Batch sizes, one row each.");
        Option<ModelPrecision[]> precisions = EnumList("--precisions", [ModelPrecision.Fp32, ModelPrecision.Fp16], "Precisions (Fp32, Fp16).");
        Option<IoBindingMode[]> bindings = EnumList("--bindings", [IoBindingMode.Never, IoBindingMode.Device], "I/O binding forms (Never, Always = pinned host tensors, Device).");
        Option<bool> cudaGraph = Flag("--cuda-graph", "Also each form with CUDA graph capture (its first batch size only: one graph per session).");
        Option<double> seconds = BenchmarkOptions.Double("--seconds", 2, "Seconds per row.", "S");
        Option<double> mflop = BenchmarkOptions.Double("--mflop-per-pixel", 0, "The model's MFLOP per input pixel, for TFLOP/s (0: leave out).", "MFLOP");
        Option<bool> minusOne = Flag("--minus-one-to-one", "Inputs in [-1, 1] (GPEN-contract face restorers) rather than [0, 1].");
        Option<int> threads = Int("--threads", 0, "ONNX Runtime intra-op threads on CPU (0: one per core).");
        Option<string> provider = Text("--provider", "Auto", "Execution provider (Auto, Cpu, Cuda).", "NAME");
        Option<string> output = Path("--out", "benchmarks/results", "Folder for raw-LABEL.json and .md.", "DIR");
        var command = new RootCommand("Raw ONNX Runtime through the server's session code: per batch size, precision and I/O binding (items/s, MP/s, TFLOP/s, GPU use and peak memory).")
        {
            Flag("--raw", "Run this mode."), modelFile, label, size, scale, batches, precisions, bindings, cudaGraph, seconds, mflop, minusOne, threads, provider, output,
        };
        command.SetAction(result =>
        {
            (int width, int height) = ParseSize(result.GetRequiredValue(size));
            RawGpuSweep.Run(new RawGpuSettings(
                result.GetRequiredValue(modelFile), result.GetRequiredValue(label), width, height, result.GetValue(scale),
                result.GetRequiredValue(batches), result.GetRequiredValue(precisions), result.GetRequiredValue(bindings), result.GetValue(cudaGraph),
                result.GetValue(seconds), result.GetValue(mflop), result.GetValue(minusOne), result.GetValue(threads),
                result.GetRequiredValue(provider), result.GetRequiredValue(output)));
        });
        return command;
    }

    /// <summary><c>EDGE</c> or <c>WIDTHxHEIGHT</c>.</summary>
    internal static (int Width, int Height) ParseSize(string text)
    {
        string[] parts = text.Split('x', 'X');
        return parts.Length switch
        {
            1 => (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)),
            2 => (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new FormatException($"'{text}' is not EDGE or WIDTHxHEIGHT"),
        };
    }

    /// <summary>A comma-separated list of enum names: <c>--precisions fp32,fp16</c>.</summary>
    private static Option<T[]> EnumList<T>(string name, T[] fallback, string description)
        where T : struct, Enum => new(name)
        {
            Description = description,
            HelpName = string.Join(',', Enum.GetNames<T>()),
            DefaultValueFactory = _ => fallback,
            CustomParser = result => ParseEnumList<T>(result),
        };

    private static T[] ParseEnumList<T>(ArgumentResult result)
        where T : struct, Enum
    {
        var values = new List<T>();
        foreach (string part in result.Tokens.Single().Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Enum.TryParse(part, ignoreCase: true, out T value))
            {
                result.AddError($"'{part}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");
                return [];
            }

            values.Add(value);
        }

        return [.. values];
    }
}
