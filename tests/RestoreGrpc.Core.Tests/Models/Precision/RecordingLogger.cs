using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RestoreGrpc.Core.Tests.Models.Precision;

/// <summary>Keeps every log event (id and formatted message) for assertions.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(EventId Id, string Message)> Events { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Events.Enqueue((eventId, formatter(state, exception)));
}
