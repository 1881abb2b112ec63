using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// Bounds how long a call's response may wait for a client that does not read it (issue 21 item 7). grpc-dotnet
/// writes a unary response to Kestrel without flushing it, so when the handler returns the whole message (16 MiB for
/// a 2048² BMP) sits in the HTTP/2 stream's output until the client opens its flow-control window; a client that
/// never reads would hold it for as long as the connection lives. This middleware, between authorization and the
/// endpoints, flushes such a response before the request ends: Kestrel's HTTP/2 flush completes once the stream's
/// output has gone to the connection, so it waits exactly as long as the client takes. Past
/// <see cref="CallLimitsOptions.WriteTimeoutSeconds"/> that stream alone is reset (RST_STREAM ENHANCE_YOUR_CALM,
/// which gRPC clients report as RESOURCE_EXHAUSTED) and Kestrel drops what it held; the connection and its other
/// calls go on. The reset is sent while the request is still running, never to a stream Kestrel has finished and may
/// reuse for the connection's next call. Until the request ends the call keeps what it was admitted with (what it
/// registered for disposal: its memory reservation, its tenant quotas), so a held response counts against them.
/// </summary>
internal static partial class ResponseDrainLimit
{
    /// <summary>HTTP/2 error code ENHANCE_YOUR_CALM (RFC 9113 section 7).</summary>
    private const int EnhanceYourCalm = 0xb;

    /// <summary>Unflushed output that is left to Kestrel unwatched: what a client's initial stream window (64 KiB)
    /// takes without reading. Smaller responses keep Kestrel's single write of data and trailers.</summary>
    private const long WatchedBytes = 64 * 1024;

    public static WebApplication UseResponseDrainLimit(this WebApplication app)
    {
        TimeSpan? limit = CallLimitsOptions.Span(app.Services.GetRequiredService<IOptions<CallLimitsOptions>>().Value.WriteTimeoutSeconds);
        if (limit is not { } after)
        {
            return app;
        }

        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ResponseDrainLimit).FullName!);
        app.Use(async (context, next) =>
        {
            await next(context).ConfigureAwait(false);
            PipeWriter body = context.Response.BodyWriter;
            // A response not started is a trailers-only status (one HEADERS frame): nothing is parked, and a flush
            // would start it. Only HTTP/2 and HTTP/3 offer a stream reset; HTTP/1.1 (the web page, metrics) has
            // socket backpressure and Kestrel's MinResponseDataRate instead.
            if (!context.Response.HasStarted
                || context.Features.Get<IHttpResetFeature>() is not { } stream
                || (body.CanGetUnflushedBytes && body.UnflushedBytes <= WatchedBytes))
            {
                return;
            }

            ValueTask<FlushResult> flush = body.FlushAsync(CancellationToken.None);
            if (flush.IsCompleted)
            {
                await flush.ConfigureAwait(false);
                return;
            }

            Task<FlushResult> draining = flush.AsTask();
            try
            {
                await draining.WaitAsync(after).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                LogDrainTimeout(logger, context.Request.Path, after.TotalSeconds);
                stream.Reset(EnhanceYourCalm);
                // The reset completes the stream's output, which ends the pending flush at once.
                await draining.ConfigureAwait(false);
            }
        });
        return app;
    }

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "A client did not take the response of {Path} within {Seconds} s; the stream was reset and its buffered response dropped")]
    private static partial void LogDrainTimeout(ILogger logger, PathString path, double seconds);
}
