namespace RestoreGrpc.Benchmarks;

/// <summary>
/// <c>--sweep</c> settings (<see cref="BenchmarkModes"/>): <c>--models DIR --image FILE --crop 256|1024x768 --clients 1,2,4,8,16 --seconds 10
/// --max-batch 4 --raw-batches 1,4 --threads 0 --provider Auto --format png --out DIR [--contention 4096]</c>.
/// <c>--model nearest-x4</c> serves <see cref="OverheadModel"/>: the server's own cost per image.
/// </summary>
internal sealed record SweepSettings(
    string ModelsDirectory,
    string Model,
    string Image,
    string Crop,
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
    /// <summary>With <c>--model nearest-x4</c>: the near-free stand-in model, written to a scratch folder and added
    /// to the server's catalog; otherwise these settings as they are.</summary>
    public SweepSettings WithOverheadModel()
    {
        if (Model != OverheadModel.Name)
        {
            return this;
        }

        string path = OverheadModel.Write(Path.Combine(Path.GetTempPath(), "restoregrpc-bench"));
        return this with { ModelPath = path, ExtraServerArgs = string.Join(' ', [ExtraServerArgs, .. OverheadModel.ServerArguments(path)]) };
    }

    /// <summary>The model file raw ONNX Runtime runs (the catalog's file for real models).</summary>
    public string ModelPath { get; init; } = Path.Combine(ModelsDirectory, Model + ".onnx");
}
