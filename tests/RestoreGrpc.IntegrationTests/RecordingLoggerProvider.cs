using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RestoreGrpc.IntegrationTests;

/// <summary>Keeps every log entry a server writes (level, category, event, message) for a test to inspect.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<LogRecord> Records { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, Records);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<LogRecord> records) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            records.Enqueue(new LogRecord(logLevel, category, eventId.Id, exception is null ? formatter(state, exception) : $"{formatter(state, exception)} | {exception}"));
    }
}

/// <summary>One log entry.</summary>
public sealed record LogRecord(LogLevel Level, string Category, int EventId, string Message);
