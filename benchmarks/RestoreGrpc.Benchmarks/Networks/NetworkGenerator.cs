using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;

namespace RestoreGrpc.Benchmarks.Networks;

/// <summary>
/// Writes the heavy architectures (<see cref="RrdbNetX4PlusNetwork"/>, <see cref="GpenBfr512Network"/>) with random
/// weights as ONNX files, for speed measurement only, and prints each one's parameters, FLOPs, file size and the time
/// taken (issue 16).
/// </summary>
public static class NetworkGenerator
{
    /// <summary>The networks written, in order.</summary>
    public static IReadOnlyList<Func<GeneratedNetwork>> Networks { get; } =
    [
        () => RrdbNetX4PlusNetwork.Build(),
        () => GpenBfr512Network.Build(),
    ];

    /// <summary>Builds and writes every network into <paramref name="directory"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Write(string directory, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        log.WriteLine($"Random weights, for speed measurement only (not restoration models); writing into {directory}");
        log.WriteLine("| file | parameters | FLOP (convs, linears) | FLOP (fixed blur filters) | per | MB | seconds |");
        log.WriteLine("|---|---|---|---|---|---|---|");
        foreach (Func<GeneratedNetwork> build in Networks)
        {
            var clock = Stopwatch.StartNew();
            GeneratedNetwork network = build();
            string path = Path.Combine(directory, network.FileName);
            using (FileStream file = File.Create(path))
            {
                network.Model.WriteTo(file);
            }

            double seconds = clock.Elapsed.TotalSeconds;
            double megabytes = new FileInfo(path).Length / 1e6;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {network.FileName} | {network.Parameters:N0} | {Scaled(network.Flops)} | {Scaled(network.FixedFilterFlops)} | {network.FlopsBasis.Replace("per ", string.Empty, StringComparison.Ordinal)} | {megabytes:F1} | {seconds:F1} |"));
            written.Add(path);
        }

        return written;
    }

    /// <summary>FLOPs with an SI prefix: 35.87 M, 274.13 G.</summary>
    private static string Scaled(double flops) => flops switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{flops / 1e9:F2} G"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{flops / 1e6:F2} M"),
        _ => flops.ToString("F0", CultureInfo.InvariantCulture),
    };
}
