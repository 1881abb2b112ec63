using System.CommandLine;
using RestoreGrpc.Benchmarks.Networks;

namespace RestoreGrpc.Benchmarks;

/// <summary>The mode that writes the heavy architectures with random weights, for speed measurement only (issue 16).</summary>
internal static partial class BenchmarkModes
{
    private static RootCommand GenerateNetworks()
    {
        const string fallback = "benchmarks/results/networks";
        Option<string> directory = new("--generate-networks")
        {
            Description = "Folder to write the ONNX files into.",
            HelpName = "DIR",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => System.IO.Path.GetFullPath(fallback),
            CustomParser = result => System.IO.Path.GetFullPath(result.Tokens.Count == 1 ? result.Tokens[0].Value : fallback),
        };
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
