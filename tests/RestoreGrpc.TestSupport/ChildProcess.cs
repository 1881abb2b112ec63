using System.Diagnostics;
using System.Text;

namespace RestoreGrpc.TestSupport;

/// <summary>
/// A program the tests start as a user would (own working directory, arguments, environment), with its output
/// collected line by line. Killed with its children when disposed.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Standard output and error so far, interleaved as the lines arrived.</summary>
    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>The process id (to signal it: a SIGTERM'd server drains).</summary>
    public int Id => _process.Id;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Starts <paramref name="fileName"/> in <paramref name="workingDirectory"/>.</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach ((string key, string? value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Exited += (_, _) => child._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs to the end; fails the test when it takes longer than <paramref name="limit"/> (a hang, not a slow machine).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan limit, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using ChildProcess child = Start(fileName, arguments, workingDirectory, environment);
        await child.WaitForExitAsync(limit).ConfigureAwait(false);
        return (child.ExitCode, child.Output);
    }

    /// <summary>Waits until the output holds a line matching <paramref name="predicate"/> and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string? line = Output.Split('\n').FirstOrDefault(predicate);
            if (line is not null)
            {
                return line;
            }

            if (_exited.Task.IsCompleted && clock.Elapsed > TimeSpan.FromSeconds(1))
            {
                throw new InvalidOperationException($"the process exited ({_process.ExitCode}) without the expected line:\n{Output}");
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"no expected line after {limit.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public async Task WaitForExitAsync(TimeSpan limit)
    {
        if (await Task.WhenAny(_exited.Task, Task.Delay(limit)).ConfigureAwait(false) != _exited.Task)
        {
            throw new TimeoutException($"still running after {limit.TotalSeconds} s:\n{Output}");
        }

        await _process.WaitForExitAsync().ConfigureAwait(false); // drains the output
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _output.Append(line).Append('\n');
        }
    }
}
