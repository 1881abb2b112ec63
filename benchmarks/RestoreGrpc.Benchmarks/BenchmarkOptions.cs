using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace RestoreGrpc.Benchmarks;

/// <summary>The options several benchmark modes share, and the parsers of their values (comma lists).</summary>
internal static class BenchmarkOptions
{
    public static Option<string> Models() => Path("--models", "../shared/models", "Folder of the ONNX models (the catalog's files).", "DIR");

    public static Option<string> Image(string fallback = "../shared/images/astronaut.png") => Path("--image", fallback, "Input image.", "FILE");

    public static Option<int> Runs(int fallback, string description = "Measured runs (after a warm-up).") => Int("--runs", fallback, description, "N");

    public static Option<string> ServerDll() => Path(
        "--server-dll",
        System.IO.Path.Combine(AppContext.BaseDirectory, "RestoreGrpc.Server.dll"),
        "The server build to run in its own process (any branch's RestoreGrpc.Server.dll).",
        "DLL");

    public static Option<string> Otlp() => Text("--otlp", "http://127.0.0.1:4317", "A running OTLP/gRPC receiver for the exported spans.", "URL");

    public static Option<string> Text(string name, string fallback, string description, string helpName) => Value(name, fallback, description, helpName);

    /// <summary>A path, made absolute (relative to the current directory).</summary>
    public static Option<string> Path(string name, string fallback, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => System.IO.Path.GetFullPath(fallback),
        CustomParser = result => System.IO.Path.GetFullPath(result.Tokens.Single().Value),
    };

    public static Option<int> Int(string name, int fallback, string description, string helpName = "N") => Value(name, fallback, description, helpName);

    public static Option<double> Double(string name, double fallback, string description, string helpName) => Value(name, fallback, description, helpName);

    /// <summary>An option with a default value, parsed by System.CommandLine (invariant culture).</summary>
    public static Option<T> Value<T>(string name, T fallback, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => fallback,
    };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>A comma-separated list of whole numbers: <c>--threads 1,2</c>.</summary>
    public static Option<int[]> IntList(string name, int[] fallback, string description) => new(name)
    {
        Description = description,
        HelpName = "N,N…",
        DefaultValueFactory = _ => fallback,
        CustomParser = ParseIntList,
    };

    private static int[] ParseIntList(ArgumentResult result)
    {
        string text = result.Tokens.Single().Value;
        var values = new List<int>();
        foreach (string part in text.Split(','))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            {
                result.AddError($"'{text}' is not a comma-separated list of whole numbers (e.g. 1,2,4).");
                return [];
            }

            values.Add(value);
        }

        return [.. values];
    }
}
