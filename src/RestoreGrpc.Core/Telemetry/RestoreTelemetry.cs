using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace RestoreGrpc.Core.Telemetry;

/// <summary>
/// The restoration core's <see cref="ActivitySource"/> and <see cref="Meter"/> (System.Diagnostics only: the host
/// chooses what is collected and exported), plus small helpers that wrap a stage in a span. Without a listener every
/// helper is a few field reads: <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null.
/// </summary>
public static class RestoreTelemetry
{
    /// <summary>Name of the ActivitySource of the server's stage spans (a host adds it to its tracer).</summary>
    public const string SourceName = "RestoreGrpc.Server";

    /// <summary>Name of the Meter of the server's metrics (a host adds it to its meter provider).</summary>
    public const string MeterName = "RestoreGrpc.Server";

    private static readonly string? Version = typeof(RestoreTelemetry).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static ActivitySource Source { get; } = new(SourceName, Version);

    public static Meter Meter { get; } = new(MeterName, Version);

    /// <summary>Starts an internal span for a stage, child of the current span; null when nobody listens.</summary>
    public static Activity? StartStage(string stage, IEnumerable<KeyValuePair<string, object?>>? tags = null) =>
        Source.StartActivity(stage, ActivityKind.Internal, parentContext: default, tags);

    /// <summary>Runs <paramref name="work"/> inside a stage span; a failure marks the span as failed.</summary>
    public static T Traced<T>(string stage, Func<T> work, IEnumerable<KeyValuePair<string, object?>>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        using Activity? span = StartStage(stage, tags);
        try
        {
            return work();
        }
        catch (Exception e) when (MarkFailed(span, e))
        {
            throw; // never reached: MarkFailed returns false, so the exception passes with its stack intact
        }
    }

    /// <summary>Awaits <paramref name="work"/> inside a stage span; a failure marks the span as failed.</summary>
    public static async Task<T> TracedAsync<T>(string stage, Func<Task<T>> work, IEnumerable<KeyValuePair<string, object?>>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        using Activity? span = StartStage(stage, tags);
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception e) when (MarkFailed(span, e))
        {
            throw;
        }
    }

    /// <summary>Sets the span's status to error with the exception (as an event); returns false, for filters.</summary>
    public static bool MarkFailed(Activity? span, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (span is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, exception is OperationCanceledException ? "cancelled" : exception.Message);
            span.AddException(exception);
        }

        return false;
    }

    /// <summary>A wall-clock time for a <see cref="Stopwatch"/> timestamp taken earlier in this process.</summary>
    internal static DateTimeOffset WallClock(long timestamp) =>
        DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(timestamp);
}
