using System.Buffers;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Memory;
using RestoreGrpc.Core.Streaming;
using RestoreGrpc.Server.Draining;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.Server.Mapping;
using RestoreGrpc.Server.Quotas;

namespace RestoreGrpc.Server.Services;

/// <summary>RestoreStream: the header opens (or resumes) a job; then input tiles are received and output tiles sent
/// concurrently until every pending tile is back, and a summary ends the stream.</summary>
internal sealed partial class RestoreGrpcService
{
    public override async Task RestoreStream(IAsyncStreamReader<RestoreStreamRequest> requestStream, IServerStreamWriter<RestoreStreamResponse> responseStream, ServerCallContext context)
    {
        StreamingRestorer streaming = context.GetHttpContext().RequestServices.GetRequiredService<StreamingRestorer>();
        CallLimitsOptions limits = callLimits.Value;
        StreamHeader header = await ReadHeaderAsync(requestStream, CallLimitsOptions.Span(limits.HeaderTimeoutSeconds), context).ConfigureAwait(false);

        string tenant = TenantOf(context);
        QuotaSubject subject = SubjectOf(tenant, context);
        using IDisposable streamQuota = quotas.AdmitStream(subject);
        StreamOpenRequest open = StreamMapping.ToOpenRequest(header, tenant, context.Peer);
        if (open.JobId is null || open.CanRebuild)
        {
            // A new job, or a resume this server may rebuild from the header (the job started on another instance).
            planGuard.Check(open.Settings, open.Width, open.Height);
            quotas.CheckModels(subject, planGuard.ModelName(open.Settings));
        }

        // A job's image counts once on each server that builds it: when it opens, or when a resume rebuilds it here
        // (a stateless resume of a job another instance started); a resume of a job this server holds counts nothing.
        bool builds = open.JobId is null || (open.CanRebuild && !streaming.Holds(open.JobId, tenant));
        using IDisposable imageQuota = quotas.AdmitStreamImage(subject, builds ? (long)open.Width * open.Height : 0);

        using var idle = new StreamIdleWatch(CallLimitsOptions.Span(limits.IdleTimeoutSeconds), TimeProvider.System);
        var writer = new TimedStreamWriter(responseStream, CallLimitsOptions.Span(limits.WriteTimeoutSeconds), context.GetHttpContext(), logger);
        // A draining server ends the stream when its grace period is over: the call's token, or the end of the grace.
        ServerDrain drain = context.GetHttpContext().RequestServices.GetRequiredService<ServerDrain>();
        using var callOrGrace = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, drain.GraceExpired);
        await using StreamingSession session = await streaming.OpenAsync(open, callOrGrace.Token).ConfigureAwait(false);
        using IDisposable tileQuota = quotas.AdmitTiles(subject, session.InitialCredit);
        // The stream's tiles in flight count in the memory budget like a unary request's image (the job stays resumable
        // when it is refused).
        using MemoryReservation memory = await budget.ReserveAsync(
            RequestMemory.Stream(session.Job.Plan, session.InitialCredit, session.Job.Format.BytesPerPixel, streaming.Options.OutputPartBytes),
            callOrGrace.Token).ConfigureAwait(false);
        try
        {
            await writer.WriteAsync(StreamMapping.ToPlan(session, streaming.Options.ResumeWindow)).ConfigureAwait(false);
            await ExchangeTilesAsync(requestStream, writer, session, idle).ConfigureAwait(false);
            await writer.WriteAsync(StreamMapping.ToSummary(session.Summary())).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not InvalidRequestException && drain.GraceExpired.IsCancellationRequested
            && !context.CancellationToken.IsCancellationRequested && !session.WasTakenOver)
        {
            // However the stopped exchange surfaced (a cancelled read or a cancelled wait for tiles), the stream ended
            // because the grace period did. The tiles already sent stay with the client; another instance rebuilds the
            // job from the header.
            throw ServerDrain.ResumeElsewhere(session.Job.Id);
        }
        catch (OperationCanceledException) when (session.WasTakenOver)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Aborted, "a newer stream resumed this job"));
        }
        catch (OperationCanceledException) when (idle.HasExpired && !context.CancellationToken.IsCancellationRequested)
        {
            LogIdle(logger, idle.Idle.TotalSeconds);
            throw new RpcException(new Grpc.Core.Status(
                StatusCode.DeadlineExceeded,
                $"no message from the client for {idle.Idle.TotalSeconds:0.#} s while the server waited for tiles; resume the job with its job_id"));
        }
        catch (IOException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The connection dropped mid-read: not a server fault; the job stays resumable.
            throw new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "the connection was lost; resume the job with its job_id"));
        }
    }

    /// <summary>The first message, which must be the header, within the header timeout.</summary>
    private async Task<StreamHeader> ReadHeaderAsync(IAsyncStreamReader<RestoreStreamRequest> requestStream, TimeSpan? timeout, ServerCallContext context)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        if (timeout is { } after)
        {
            waiting.CancelAfter(after);
        }

        bool any;
        try
        {
            any = await requestStream.MoveNext(waiting.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (waiting.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            LogHeaderTimeout(logger, timeout!.Value.TotalSeconds);
            throw new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, $"no stream header within {timeout!.Value.TotalSeconds:0.#} s of opening the stream"));
        }

        if (!any)
        {
            throw new InvalidRequestException(RequestField.StreamHeader, "the stream ended before its header");
        }

        if (requestStream.Current.KindCase != RestoreStreamRequest.KindOneofCase.Header)
        {
            throw new InvalidRequestException(RequestField.StreamHeader, $"must be the first message (got {requestStream.Current.KindCase} first)");
        }

        return requestStream.Current.Header;
    }

    private static async Task ExchangeTilesAsync(IAsyncStreamReader<RestoreStreamRequest> requests, TimedStreamWriter responses, StreamingSession session, StreamIdleWatch idle)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(session.Stopping);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, idle.Expired);
        Task receiving = ReceiveTilesAsync(requests, session, idle, reading.Token);
        Task sending = SendTilesAsync(responses, session, idle, stop.Token);
        Task first = await Task.WhenAny(receiving, sending).ConfigureAwait(false);
        if (first == receiving && receiving.IsCompletedSuccessfully)
        {
            // The client half-closed: the tiles in flight still go back.
            await sending.ConfigureAwait(false);
            return;
        }

        // Either every tile is back (the client need not half-close first) or one side failed: stop the other.
        await stop.CancelAsync().ConfigureAwait(false);
        Task other = first == receiving ? sending : receiving;
        try
        {
            await other.ConfigureAwait(false);
        }
        catch (Exception) when (!first.IsCompletedSuccessfully)
        {
            // The first failure is the one reported.
        }
        catch (OperationCanceledException)
        {
        }

        if (receiving.Exception?.InnerException is InvalidRequestException)
        {
            await DrainAsync(requests, session.Stopping).ConfigureAwait(false);
        }

        await first.ConfigureAwait(false);
    }

    /// <summary>After a protocol violation, reads (and drops) what the client is still sending, until it half-closes
    /// or briefly at most: ending a call whose request body is unread resets the HTTP/2 stream, and a client may
    /// then see the reset instead of the status that says what it did wrong.</summary>
    private static async Task DrainAsync(IAsyncStreamReader<RestoreStreamRequest> requests, CancellationToken stopping)
    {
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        drain.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            while (await requests.MoveNext(drain.Token).ConfigureAwait(false))
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException)
        {
        }
    }

    private static async Task ReceiveTilesAsync(IAsyncStreamReader<RestoreStreamRequest> requests, StreamingSession session, StreamIdleWatch idle, CancellationToken cancellationToken)
    {
        while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            RestoreStreamRequest request = requests.Current;
            idle.Received(tile: request.KindCase == RestoreStreamRequest.KindOneofCase.Tile);
            switch (request.KindCase)
            {
                case RestoreStreamRequest.KindOneofCase.Tile:
                    session.Accept(request.Tile.Index, request.Tile.Pixels.Memory);
                    break;
                case RestoreStreamRequest.KindOneofCase.Header:
                    throw new InvalidRequestException(RequestField.StreamHeader, "was sent twice; a stream has one header");
                default:
                    throw new InvalidRequestException(RequestField.StreamTile, "an empty message (neither header nor tile)");
            }
        }

        session.InputEnded();
    }

    private static async Task SendTilesAsync(TimedStreamWriter responses, StreamingSession session, StreamIdleWatch idle, CancellationToken cancellationToken)
    {
        int bytesPerPixel = session.Job.Format.BytesPerPixel;
        byte[] buffer = [];
        try
        {
            await foreach (CompletedTile tile in session.Completed.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                using (tile)
                {
                    if (buffer.Length < tile.MaxPartBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(tile.MaxPartBytes);
                    }

                    for (int part = 0; part < tile.PartCount; part++)
                    {
                        // Writes take no token: cancelling a write half-way resets the HTTP/2 stream, and the client
                        // would see the reset instead of the status. The loop stops between messages instead, and a
                        // client that stops reading is cut off by the writer's timeout.
                        cancellationToken.ThrowIfCancellationRequested();
                        var rect = tile.WritePart(part, buffer);
                        // WriteAsync serialises the message before it completes, so the buffer is free again after it.
                        await responses.WriteAsync(
                            new RestoreStreamResponse
                            {
                                Tile = new OutputTile
                                {
                                    Index = tile.Tile.Index,
                                    X = rect.X,
                                    Y = rect.Y,
                                    Width = rect.Width,
                                    Height = rect.Height,
                                    Pixels = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, (int)rect.Area * bytesPerPixel)),
                                    Last = part == tile.PartCount - 1,
                                },
                            }).ConfigureAwait(false);
                    }
                }

                StreamProgressInfo progress = session.MarkSent(tile);
                idle.Sent();
                if (progress.CreditGranted > 0)
                {
                    await responses.WriteAsync(new RestoreStreamResponse { Credit = new CreditGrant { TileCount = progress.CreditGranted } }).ConfigureAwait(false);
                }

                await responses.WriteAsync(StreamMapping.ToProgress(progress)).ConfigureAwait(false);
            }
        }
        catch (ChannelClosedException closed) when (closed.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(closed.InnerException);
        }
        finally
        {
            // After a timed-out write the message may still reference the buffer: it goes to the garbage collector.
            if (!responses.TimedOut)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "RestoreStream sent no header within {Seconds} s; ended")]
    private static partial void LogHeaderTimeout(ILogger logger, double seconds);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "RestoreStream client idle for {Seconds} s while the server waited for tiles; ended (the job stays resumable)")]
    private static partial void LogIdle(ILogger logger, double seconds);
}
