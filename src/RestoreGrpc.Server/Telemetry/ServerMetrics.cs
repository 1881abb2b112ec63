using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Telemetry;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// The host's instruments, on a meter named <see cref="RestoreTelemetry.MeterName"/> from the host's
/// <see cref="IMeterFactory"/> (so they go with the host): calls by status code, call duration and calls in flight
/// (OpenTelemetry RPC conventions), the batching queue's depth, process memory, and GPU utilisation and memory where
/// NVML finds a GPU (nothing at all on a CPU machine).
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _active;
    private readonly NvmlGpuMonitor _gpus;

    public ServerMetrics(IMeterFactory meters, DynamicBatcher batcher)
    {
        Meter meter = meters.Create(RestoreTelemetry.MeterName);
        _gpus = NvmlGpuMonitor.Open();
        _requests = meter.CreateCounter<long>("restoregrpc.requests", "{request}", "Completed RPCs by method and gRPC status code.");
        _duration = meter.CreateHistogram<double>("rpc.server.call.duration", "s", "Duration of RPCs served.");
        _active = meter.CreateUpDownCounter<long>("restoregrpc.calls.active", "{call}", "RPCs (unary calls and streams) in flight.");
        meter.CreateObservableGauge("restoregrpc.queue.depth", () => batcher.QueuedItems, "{item}", "Tiles and face crops waiting in the batching queue.");
        meter.CreateObservableGauge("process.memory.usage", () => Environment.WorkingSet, "By", "Physical memory of the server process.");
        meter.CreateObservableGauge("process.memory.managed", () => GC.GetTotalMemory(false), "By", "Managed heap in use.");
        meter.CreateObservableGauge("hw.gpu.utilization", () => _gpus.Sample().Select(g => Measure(g.Utilization, g)), "1", "Fraction of time a GPU kernel ran (NVML).");
        meter.CreateObservableGauge("hw.gpu.memory.usage", () => _gpus.Sample().Select(g => Measure(g.MemoryUsedBytes, g)), "By", "GPU memory in use (NVML).");
        meter.CreateObservableGauge("hw.gpu.memory.limit", () => _gpus.Sample().Select(g => Measure(g.MemoryTotalBytes, g)), "By", "GPU memory in all (NVML).");
    }

    /// <summary>GPUs NVML reports (0 on a CPU machine).</summary>
    public int GpuCount => _gpus.DeviceCount;

    public void CallStarted(RpcMethod method) => _active.Add(1, Tags(method));

    public void CallCompleted(RpcMethod method, StatusCode status, TimeSpan elapsed)
    {
        _active.Add(-1, Tags(method));
        var tags = new TagList
        {
            { RpcAttributes.System, RpcAttributes.GrpcSystem },
            { RpcAttributes.Service, method.Service },
            { RpcAttributes.Method, method.Name },
            { RpcAttributes.GrpcStatusCode, (int)status },
        };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }

    public void Dispose() => _gpus.Dispose();

    private static TagList Tags(RpcMethod method) => new()
    {
        { RpcAttributes.System, RpcAttributes.GrpcSystem },
        { RpcAttributes.Service, method.Service },
        { RpcAttributes.Method, method.Name },
    };

    private static Measurement<T> Measure<T>(T value, GpuSample gpu)
        where T : struct =>
        new(value, new KeyValuePair<string, object?>("hw.id", $"gpu{gpu.Index}"), new KeyValuePair<string, object?>("hw.name", gpu.Name));
}
