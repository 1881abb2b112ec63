namespace RestoreGrpc.Benchmarks;

/// <summary>The unary benchmark's settings (<see cref="BenchmarkModes.Unary"/>: <c>--models DIR --model-file FILE
/// --image FILE --runs N --threads 1,2 --tiles 256,512 --margin 34 --out FILE</c>).</summary>
internal sealed record BenchmarkSettings(string ModelsDirectory, string ModelFile, string Image, int Runs, int[] Threads, int[] Tiles, int Margin, string Output);
