using System.Buffers;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Memory;
using RestoreGrpc.Core.Streaming;
using RestoreGrpc.Server.Mapping;

namespace RestoreGrpc.Server.Services;

/// <summary>RestoreStream: the header opens (or resumes) a job; then input tiles are received and output tiles sent
/// concurrently until every pending tile is back, and a summary ends the stream.</summary>
internal sealed partial class RestoreGrpcService
{
    public override async Task RestoreStream(IAsyncStreamReader<RestoreStreamRequest> requestStream, IServerStreamWriter<RestoreStreamResponse> responseStream, ServerCallContext context)
    {
        StreamingRestorer streaming = context.GetHttpContext().RequestServices.GetRequiredService<StreamingRestorer>();
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            throw new InvalidRequestException(StreamFields.Header, "the stream ended before its header");
        }

        if (requestStream.Current.KindCase != RestoreStreamRequest.KindOneofCase.Header)
        {
            throw new InvalidRequestException(StreamFields.Header, $"must be the first message (got {requestStream.Current.KindCase} first)");
        }

        string tenant = context.RequestHeaders.GetValue(TenantHeader) ?? string.Empty;
        await using StreamingSession session = await streaming.OpenAsync(
            StreamMapping.ToOpenRequest(requestStream.Current.Header, tenant),
            context.CancellationToken).ConfigureAwait(false);
        // The stream's tiles in flight count in the memory budget like a unary request's image (the job stays resumable
        // when it is refused).
        using MemoryReservation memory = await budget.ReserveAsync(
            RequestMemory.Stream(session.Job.Plan, session.InitialCredit, session.Job.Format.BytesPerPixel, streaming.Options.OutputPartBytes),
            context.CancellationToken).ConfigureAwait(false);
        try
        {
            await responseStream.WriteAsync(StreamMapping.ToPlan(session, streaming.Options.ResumeWindow)).ConfigureAwait(false);
            await ExchangeTilesAsync(requestStream, responseStream, session).ConfigureAwait(false);
            await responseStream.WriteAsync(StreamMapping.ToSummary(session.Summary())).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (session.WasTakenOver)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Aborted, $"a newer stream resumed job {session.Job.Id}"));
        }
        catch (IOException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The connection dropped mid-read: not a server fault; the job stays resumable.
            throw new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, $"the connection was lost; resume job {session.Job.Id}"));
        }
    }

    private static async Task ExchangeTilesAsync(IAsyncStreamReader<RestoreStreamRequest> requests, IServerStreamWriter<RestoreStreamResponse> responses, StreamingSession session)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(session.Stopping);
        Task receiving = ReceiveTilesAsync(requests, session, stop.Token);
        Task sending = SendTilesAsync(responses, session, stop.Token);
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

    private static async Task ReceiveTilesAsync(IAsyncStreamReader<RestoreStreamRequest> requests, StreamingSession session, CancellationToken cancellationToken)
    {
        while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            RestoreStreamRequest request = requests.Current;
            switch (request.KindCase)
            {
                case RestoreStreamRequest.KindOneofCase.Tile:
                    session.Accept((int)Math.Min(request.Tile.Index, int.MaxValue), request.Tile.Pixels.Memory);
                    break;
                case RestoreStreamRequest.KindOneofCase.Header:
                    throw new InvalidRequestException(StreamFields.Header, "was sent twice; a stream has one header");
                default:
                    throw new InvalidRequestException(StreamFields.Tile, "an empty message (neither header nor tile)");
            }
        }

        session.InputEnded();
    }

    private static async Task SendTilesAsync(IServerStreamWriter<RestoreStreamResponse> responses, StreamingSession session, CancellationToken cancellationToken)
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
                        // would see the reset instead of the status. The loop stops between messages instead.
                        cancellationToken.ThrowIfCancellationRequested();
                        var rect = tile.WritePart(part, buffer);
                        // WriteAsync serialises the message before it completes, so the buffer is free again after it.
                        await responses.WriteAsync(
                            new RestoreStreamResponse
                            {
                                Tile = new OutputTile
                                {
                                    Index = (uint)tile.Tile.Index,
                                    X = (uint)rect.X,
                                    Y = (uint)rect.Y,
                                    Width = (uint)rect.Width,
                                    Height = (uint)rect.Height,
                                    Pixels = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, (int)rect.Area * bytesPerPixel)),
                                    Last = part == tile.PartCount - 1,
                                },
                            },
                            CancellationToken.None).ConfigureAwait(false);
                    }
                }

                StreamProgressInfo progress = session.MarkSent(tile);
                if (progress.CreditGranted > 0)
                {
                    await responses.WriteAsync(new RestoreStreamResponse { Credit = new CreditGrant { Tiles = (uint)progress.CreditGranted } }, CancellationToken.None).ConfigureAwait(false);
                }

                await responses.WriteAsync(StreamMapping.ToProgress(progress), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (ChannelClosedException closed) when (closed.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(closed.InnerException);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
