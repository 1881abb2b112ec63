using Grpc.Core;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Server.Services;

/// <summary>
/// Writes a stream's responses with a bounded wait: a client that stops reading fills its HTTP/2 window and a
/// write then waits for it forever, holding the stream's tiles. Past the write timeout the call is aborted (the
/// client cannot be told more: it does not read), which frees the stream at once; the job stays resumable.
/// </summary>
internal sealed partial class TimedStreamWriter(IServerStreamWriter<RestoreStreamResponse> responses, TimeSpan? timeout, HttpContext http, ILogger logger)
{
    /// <summary>Whether a write timed out (the message it was writing may still be in use).</summary>
    public bool TimedOut { get; private set; }

    public async Task WriteAsync(RestoreStreamResponse message)
    {
        // No token: cancelling a write half-way resets the HTTP/2 stream, and the client would see the reset
        // instead of the status.
        Task write = responses.WriteAsync(message, CancellationToken.None);
        if (timeout is not { } limit)
        {
            await write.ConfigureAwait(false);
            return;
        }

        try
        {
            await write.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            TimedOut = true;
            LogWriteTimeout(logger, limit.TotalSeconds);
            http.Abort();
            _ = write.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"the client read nothing for {limit.TotalSeconds:0.#} s; the stream was cut"));
        }
    }

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "RestoreStream client did not read a response for {Seconds} s; the call was aborted")]
    private static partial void LogWriteTimeout(ILogger logger, double seconds);
}
