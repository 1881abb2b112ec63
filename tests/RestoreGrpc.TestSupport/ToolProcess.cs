using System.Diagnostics;

namespace RestoreGrpc.TestSupport;

/// <summary>Runs a command-line tool with bytes on standard input and returns its standard output.</summary>
public static class ToolProcess
{
    /// <exception cref="InvalidOperationException">The tool exited non-zero (its standard error is in the message).</exception>
    public static byte[] Run(string program, string arguments, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        Task<string> errors = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        copy.Wait();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {arguments} exited {process.ExitCode}: {errors.Result}");
        }

        return output.ToArray();
    }
}
