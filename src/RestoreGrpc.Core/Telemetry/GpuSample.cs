namespace RestoreGrpc.Core.Telemetry;

/// <summary>One GPU's state at one moment, as NVML reports it.</summary>
/// <param name="Index">NVML device index.</param>
/// <param name="Name">Product name (e.g. "NVIDIA H100 80GB HBM3").</param>
/// <param name="Utilization">Fraction of the last sample period in which a kernel ran (0..1).</param>
/// <param name="MemoryUsedBytes">Device memory in use.</param>
/// <param name="MemoryTotalBytes">Device memory in all.</param>
public sealed record GpuSample(int Index, string Name, double Utilization, long MemoryUsedBytes, long MemoryTotalBytes);
