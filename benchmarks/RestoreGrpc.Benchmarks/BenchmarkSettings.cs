namespace RestoreGrpc.Benchmarks;

/// <summary>Command-line settings: <c>--models DIR --image FILE --runs N --threads 1,2 --tiles 256,512 --out FILE</c>.</summary>
internal sealed record BenchmarkSettings(string ModelsDirectory, string ModelFile, string Image, int Runs, int[] Threads, int[] Tiles, int Margin, string Output)
{
    public static BenchmarkSettings Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        int[] List(string name, string fallback) => Get(name, fallback).Split(',').Select(int.Parse).ToArray();

        return new BenchmarkSettings(
            Path.GetFullPath(Get("--models", "../shared/models")),
            Get("--model-file", "realesr-general-x4v3.onnx"),
            Path.GetFullPath(Get("--image", "../shared/images/astronaut.png")),
            int.Parse(Get("--runs", "3"), System.Globalization.CultureInfo.InvariantCulture),
            List("--threads", "1,2"),
            List("--tiles", "256,512"),
            int.Parse(Get("--margin", "34"), System.Globalization.CultureInfo.InvariantCulture),
            Get("--out", "benchmarks/results/unary.md"));
    }
}
