using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace RestoreGrpc.IntegrationTests;

/// <summary>Every log message a server writes, at every level and category (Kestrel's and gRPC's included), for
/// tests of what the server logs and what it must never log.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IReadOnlyCollection<string> Messages => _messages;

    /// <summary>Host configuration that routes all logging, at Trace, to this capture only.</summary>
    public void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(this);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFilter(_ => true);
    }

    /// <summary>Waits (up to <paramref name="patience"/>) for a message containing <paramref name="text"/>.</summary>
    public async Task<bool> WaitForAsync(string text, TimeSpan patience, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!_messages.Any(m => m.Contains(text, StringComparison.Ordinal)))
        {
            if (waited.Elapsed > patience)
            {
                return false;
            }

            await Task.Delay(25, cancellationToken);
        }

        return true;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            owner._messages.Enqueue($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}");
        }
    }
}
