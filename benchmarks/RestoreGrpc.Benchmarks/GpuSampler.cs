using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// Samples GPU utilisation and memory every 100 ms through <c>nvidia-smi</c> while it lives; absent GPUs (no
/// nvidia-smi) give no samples.
/// </summary>
internal sealed class GpuSampler : IDisposable
{
    private readonly Process? _process;
    private readonly ConcurrentQueue<(long Timestamp, double Utilization, double MemoryMiB)> _samples = new();

    public GpuSampler()
    {
        try
        {
            _process = Process.Start(new ProcessStartInfo("nvidia-smi", "--query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits -lms 100")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return; // no nvidia-smi: a CPU machine
        }

        if (_process is null)
        {
            return;
        }

        _process.OutputDataReceived += (_, e) =>
        {
            string[] parts = e.Data?.Split(',', StringSplitOptions.TrimEntries) ?? [];
            if (parts.Length >= 2
                && double.TryParse(parts[0], CultureInfo.InvariantCulture, out double utilization)
                && double.TryParse(parts[1], CultureInfo.InvariantCulture, out double memory))
            {
                _samples.Enqueue((Stopwatch.GetTimestamp(), utilization, memory));
            }
        };
        _process.BeginOutputReadLine();
    }

    public bool Available => _process is not null;

    /// <summary>Mean utilisation (%) and peak memory (MiB) of the samples taken between two timestamps.</summary>
    public (double? Utilization, double? MemoryMiB) Between(long from, long to)
    {
        var window = _samples.Where(s => s.Timestamp >= from && s.Timestamp <= to).ToList();
        return window.Count == 0 ? (null, null) : (window.Average(s => s.Utilization), window.Max(s => s.MemoryMiB));
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
        }

        _process?.Dispose();
    }
}
