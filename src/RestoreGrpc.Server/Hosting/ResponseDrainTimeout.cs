using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// Bounds how long a finished call's response may wait for its client (issue 21 item 7). When a handler returns,
/// grpc-dotnet has handed the whole response to Kestrel, which keeps it in its HTTP/2 stream output (pool blocks)
/// until the client opens its flow-control window; a client that never reads would hold e.g. 16 MiB for as long as
/// the connection lives. Past <see cref="CallLimitsOptions.WriteTimeoutSeconds"/> after the handler returned, the
/// request is aborted: Kestrel resets the stream and returns the blocks. Nothing can tell such a client more: it
/// does not read. The watch ends when Kestrel completes the request (response sent or stream reset), before the
/// context can be reused, so a late timer never touches another call.
/// </summary>
internal static partial class ResponseDrainTimeout
{
    public static WebApplication UseResponseDrainTimeout(this WebApplication app)
    {
        TimeSpan? limit = CallLimitsOptions.Span(app.Services.GetRequiredService<IOptions<CallLimitsOptions>>().Value.WriteTimeoutSeconds);
        if (limit is not { } after)
        {
            return app;
        }

        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ResponseDrainTimeout).FullName!);
        app.Use(async (context, next) =>
        {
            await next(context).ConfigureAwait(false);
            if (context.Features.Get<IHttp2StreamIdFeature>() is { } stream
                && context.Features.Get<IHttpRequestLifetimeFeature>() is { } lifetime)
            {
                int id = stream.StreamId;
                _ = Task.Delay(after, CancellationToken.None).ContinueWith(
                    _ =>
                    {
                        // Kestrel reuses a finished stream's objects for a later stream of the connection (higher id).
                        if (stream.StreamId == id)
                        {
                            LogDrainTimeout(logger, after.TotalSeconds);
                            lifetime.Abort();
                        }
                    },
                    TaskScheduler.Default);
            }
        });
        return app;
    }

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "A client did not take its response within {Seconds} s after the call finished; the call was aborted and its buffered response dropped")]
    private static partial void LogDrainTimeout(ILogger logger, double seconds);
}
