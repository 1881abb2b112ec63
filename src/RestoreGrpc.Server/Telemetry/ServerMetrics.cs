using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using RestoreGrpc.Contracts.Telemetry;
using RestoreGrpc.Core.Memory;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Telemetry;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// The host's instruments on the core's process-wide <see cref="RestoreTelemetry.Meter"/>: calls by status code,
/// call duration and calls in flight (labelled by the RPC conventions, <see cref="RpcConventions"/>), the batching queue's depth, and GPU utilisation
/// and memory where NVML finds a GPU (nothing at all on a CPU machine). Process and runtime metrics come from
/// OpenTelemetry's process and runtime instrumentation. Process-wide on purpose:
/// OpenTelemetry listens to meters by name across the process, and a per-host meter that goes away with its host
/// would end the metric streams it shares with other hosts in the same process (tests run many).
/// </summary>
internal static class ServerMetrics
{
    private static readonly Counter<long> Requests = RestoreTelemetry.Meter.CreateCounter<long>(
        "restoregrpc.requests", "{request}", "Completed RPCs by method and gRPC status code.");

    private static readonly Histogram<double> Duration = RestoreTelemetry.Meter.CreateHistogram<double>(
        "rpc.server.call.duration", "s", "Duration of RPCs served.");

    private static readonly UpDownCounter<long> Active = RestoreTelemetry.Meter.CreateUpDownCounter<long>(
        "restoregrpc.calls.active", "{call}", "RPCs (unary calls and streams) in flight.");

    private static readonly ConcurrentDictionary<DynamicBatcher, byte> Batchers = new();

    private static readonly ConcurrentDictionary<MemoryBudget, byte> Budgets = new();

    private static readonly Lazy<NvmlGpuMonitor> Gpus = new(() => NvmlGpuMonitor.Open());

    static ServerMetrics()
    {
        Meter meter = RestoreTelemetry.Meter;
        meter.CreateObservableGauge("restoregrpc.queue.depth", () => Batchers.Keys.Sum(b => b.QueuedItems), "{item}", "Tiles and face crops waiting in the batching queue.");
        meter.CreateObservableGauge("restoregrpc.inflight", () => Budgets.Keys.Sum(b => b.InFlightBytes), "By", "Memory reserved by requests in flight (estimated from receipt to the last byte sent).");
        meter.CreateObservableGauge("restoregrpc.inflight.limit", () => Budgets.Keys.Sum(b => b.CapacityBytes), "By", "The request memory budget (Restore:Memory:MaxInFlightMegabytes).");
        meter.CreateObservableGauge("restoregrpc.inflight.waiting", () => Budgets.Keys.Sum(b => b.Waiting), "{request}", "Requests waiting for room in the memory budget.");
        meter.CreateObservableGauge("hw.gpu.utilization", () => Gpus.Value.Sample().Select(g => Measure(g.Utilization, g)), "1", "Fraction of time a GPU kernel ran (NVML).");
        meter.CreateObservableGauge("hw.gpu.memory.usage", () => Gpus.Value.Sample().Select(g => Measure(g.MemoryUsedBytes, g)), "By", "GPU memory in use (NVML).");
        meter.CreateObservableGauge("hw.gpu.memory.limit", () => Gpus.Value.Sample().Select(g => Measure(g.MemoryTotalBytes, g)), "By", "GPU memory in all (NVML).");
    }

    /// <summary>GPUs NVML reports (0 on a CPU machine).</summary>
    public static int GpuCount => Gpus.Value.DeviceCount;

    /// <summary>Counts <paramref name="batcher"/>'s queue in the queue depth until the returned handle is disposed.</summary>
    public static IDisposable Observe(DynamicBatcher batcher)
    {
        Batchers[batcher] = 0;
        return new Observation(batcher);
    }

    /// <summary>Reports <paramref name="budget"/> in the in-flight memory gauges until the returned handle is disposed.</summary>
    public static IDisposable Observe(MemoryBudget budget)
    {
        Budgets[budget] = 0;
        return new BudgetObservation(budget);
    }

    /// <param name="method"><c>rpc.method</c>: <c>restoregrpc.v1.RestoreService/Restore</c>.</param>
    public static void CallStarted(string method) => Active.Add(1, Tags(method));

    public static void CallCompleted(string method, StatusCode status, TimeSpan elapsed)
    {
        Active.Add(-1, Tags(method));
        Count(method, status, elapsed);
    }

    /// <summary>A call refused before its handler ran (authentication or authorization): counted and timed like a
    /// completed one, never in flight.</summary>
    public static void CallRefused(string method, StatusCode status, TimeSpan elapsed) => Count(method, status, elapsed);

    private static void Count(string method, StatusCode status, TimeSpan elapsed)
    {
        TagList tags = Tags(method);
        string statusName = RpcConventions.StatusName(status);
        tags.Add(RpcConventions.Status, statusName);
        if (RpcConventions.IsServerError(status))
        {
            tags.Add(RpcConventions.ErrorType, statusName);
        }

        Requests.Add(1, tags);
        Duration.Record(elapsed.TotalSeconds, tags);
    }

    private static TagList Tags(string method) => new()
    {
        { RpcConventions.SystemName, RpcConventions.GrpcSystem },
        { RpcConventions.Method, method },
    };

    private static Measurement<T> Measure<T>(T value, GpuSample gpu)
        where T : struct =>
        new(value, new KeyValuePair<string, object?>("hw.id", $"gpu{gpu.Index}"), new KeyValuePair<string, object?>("hw.name", gpu.Name));

    private sealed class Observation(DynamicBatcher batcher) : IDisposable
    {
        public void Dispose() => Batchers.TryRemove(batcher, out _);
    }

    private sealed class BudgetObservation(MemoryBudget budget) : IDisposable
    {
        public void Dispose() => Budgets.TryRemove(budget, out _);
    }
}
