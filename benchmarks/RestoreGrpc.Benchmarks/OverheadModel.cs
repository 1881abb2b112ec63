namespace RestoreGrpc.Benchmarks;

/// <summary>
/// A ×4 "model" that costs next to nothing to run: one ONNX <c>Resize</c> (nearest) with the Real-ESRGAN contract
/// (<c>input</c> [N,3,H,W] → <c>output</c> [N,3,4H,4W]). Served through the real pipeline it stands in for an
/// infinitely fast accelerator, so a sweep with it measures what the server itself costs per image (decode, tiling,
/// normalisation, scheduling, assembly, encode, gRPC) — the ceiling a GPU run cannot pass.
/// The file is written when a benchmark needs it by <c>benchmarks/models/make_nearest_x4.py</c> with the onnx library
/// (Debian python3-onnx); no model file is committed.
/// </summary>
internal static class OverheadModel
{
    /// <summary>Model name the sweep recognises (<c>--model nearest-x4</c>).</summary>
    public const string Name = "nearest-x4";

    /// <summary>Writes the model into <paramref name="directory"/> with its generator script and returns its path.</summary>
    public static string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, Name + ".onnx");
        string script = Path.Combine(AppContext.BaseDirectory, "models", "make_nearest_x4.py");
        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        using var generator = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(python, [script, path]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException($"could not start {python}");
        string errors = generator.StandardError.ReadToEnd();
        generator.WaitForExit();
        if (generator.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed (exit {generator.ExitCode}; it needs the onnx library, Debian python3-onnx): {errors}");
        }

        return path;
    }

    /// <summary>Server arguments adding the model as a catalog entry at <paramref name="path"/>.</summary>
    public static string[] ServerArguments(string path) =>
    [
        $"--Restore:Models:Entries:90:Name={Name}",
        $"--Restore:Models:Entries:90:File={path}",
        "--Restore:Models:Entries:90:Scale=4",
        "--Restore:Models:Entries:90:TileMargin=0",
    ];
}
