using System.CommandLine;
using RestoreGrpc.Benchmarks.Networks;
using static RestoreGrpc.Benchmarks.BenchmarkOptions;

namespace RestoreGrpc.Benchmarks;

/// <summary>The mode that writes the heavy architectures with random weights, for speed measurement only (issue 16).</summary>
internal static partial class BenchmarkModes
{
    private static RootCommand GenerateNetworks()
    {
        Option<string> directory = Path("--generate-networks", "benchmarks/results/networks", "Folder to write the ONNX files into.", "DIR");
        var command = new RootCommand(
            $"Writes {RrdbNetX4PlusNetwork.FileName} (RRDBNet x4plus) and {GpenBfr512Network.FileName} (GPEN-BFR-512 architecture) with "
            + "random weights, for speed measurement only (not restoration), and prints parameters, FLOPs, file size and time.")
        {
            directory,
        };
        command.SetAction(result => NetworkGenerator.Write(result.GetRequiredValue(directory), Console.Out));
        return command;
    }
}
