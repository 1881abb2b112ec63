using System.Globalization;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// <c>--sweep</c> settings: <c>--models DIR --image FILE --crop 256 --clients 1,2,4,8,16 --seconds 10
/// --max-batch 4 --raw-batches 1,4 --threads 0 --provider Auto --format png --out DIR [--contention 4096]</c>.
/// <c>--model nearest-x4</c> serves <see cref="OverheadModel"/>: the server's own cost per image.
/// </summary>
internal sealed record SweepSettings(
    string ModelsDirectory,
    string Model,
    string Image,
    int Crop,
    int[] Clients,
    double SecondsPerLevel,
    int MaxBatch,
    int[] RawBatches,
    int Threads,
    string Provider,
    string Format,
    string OutputDirectory,
    int ContentionEdge,
    int ContentionRequests,
    string ExtraServerArgs)
{
    public static SweepSettings Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        int Int(string name, string fallback) => int.Parse(Get(name, fallback), CultureInfo.InvariantCulture);
        int[] List(string name, string fallback) => Get(name, fallback).Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        var settings = new SweepSettings(
            Path.GetFullPath(Get("--models", "../shared/models")),
            Get("--model", "realesr-general-x4v3"),
            Path.GetFullPath(Get("--image", "../shared/images/astronaut.png")),
            Int("--crop", "256"),
            List("--clients", "1,2,4,8,16"),
            double.Parse(Get("--seconds", "20"), CultureInfo.InvariantCulture),
            Int("--max-batch", "4"),
            List("--raw-batches", "1,4"),
            Int("--threads", "0"),
            Get("--provider", "Auto"),
            Get("--format", "png"),
            Path.GetFullPath(Get("--out", "benchmarks/results")),
            Int("--contention", "0"),
            Int("--contention-requests", "10"),
            Get("--server-args", string.Empty));
        if (settings.Model != OverheadModel.Name)
        {
            return settings;
        }

        // The near-free stand-in model: written to a scratch folder and added to the server's catalog.
        string path = OverheadModel.Write(Path.Combine(Path.GetTempPath(), "restoregrpc-bench"));
        return settings with { ModelPath = path, ExtraServerArgs = string.Join(' ', [settings.ExtraServerArgs, .. OverheadModel.ServerArguments(path)]) };
    }

    /// <summary>The model file raw ONNX Runtime runs (the catalog's file for real models).</summary>
    public string ModelPath { get; init; } = Path.Combine(ModelsDirectory, Model + ".onnx");
}
