using System.Buffers;
using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using RestoreGrpc.Client.Streaming;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Tiling;
using ProtoRestoreOptions = RestoreGrpc.Contracts.V1.RestoreOptions;

namespace RestoreGrpc.Client;

/// <summary>Tile streaming (the RestoreStream RPC) for images of any size.</summary>
public sealed partial class RestoreClient
{
    /// <summary>
    /// Restores an image of any size tile by tile: input windows are read from <paramref name="source"/> only as
    /// the server grants credit, and output tiles go to <paramref name="sink"/> as they arrive, so neither side
    /// holds the whole output. The tile plan is computed here with the same <see cref="TilePlan"/> code as on the
    /// server. A lost connection is resumed for as long as <see cref="RestoreClientOptions.StreamReconnectWindow"/> (30 s by
    /// default, longer than a server restart): only tiles not yet received are sent and computed again, and no tile
    /// reaches the sink twice. Behind a balanced channel (<see cref="RestoreClientOptions.Addresses"/>, <c>dns:///</c>)
    /// the resume may land on another instance, which rebuilds the job from the header and the held tiles.
    /// Super-resolution at the model's native scale only; <see cref="RestoreOptions.Timeout"/> applies per stream.
    /// </summary>
    public async Task<StreamRestoreResult> RestoreLargeAsync(
        ITileSource source,
        ITileSink sink,
        RestoreOptions? options = null,
        IProgress<StreamProgressReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sink);
        var job = new StreamJobState(source, sink, options ?? new RestoreOptions(), progress);
        long started = Stopwatch.GetTimestamp();
        long outageStarted = 0;
        int attemptInOutage = 0;
        while (true)
        {
            int heldBefore = job.Held.Count;
            try
            {
                StreamSummary summary = await RunStreamAsync(job, cancellationToken).ConfigureAwait(false);
                sink.Complete();
                return new StreamRestoreResult(
                    summary.JobId,
                    job.Model,
                    summary.OutputWidth,
                    summary.OutputHeight,
                    summary.TileCount,
                    summary.ComputedTileCount,
                    job.Reconnects,
                    summary.PeakJobBytes,
                    Stopwatch.GetElapsedTime(started),
                    summary.Timings?.Inference?.ToTimeSpan() ?? TimeSpan.Zero);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested && IsResumable(e.StatusCode))
            {
                if (attemptInOutage == 0 || job.Held.Count > heldBefore)
                {
                    // A new outage: the first loss, or the last resumption delivered tiles before this one.
                    outageStarted = Stopwatch.GetTimestamp();
                    attemptInOutage = 0;
                }

                attemptInOutage++;
                if (_reconnects.NextDelay(attemptInOutage, Stopwatch.GetElapsedTime(outageStarted), job.Reconnects) is not { } delay)
                {
                    throw;
                }

                job.Reconnects++;
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsResumable(StatusCode code) => code is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown
        or StatusCode.Aborted or StatusCode.ResourceExhausted or StatusCode.Cancelled;

    private async Task<StreamSummary> RunStreamAsync(StreamJobState job, CancellationToken cancellationToken)
    {
        using AsyncDuplexStreamingCall<RestoreStreamRequest, RestoreStreamResponse> call = _client.RestoreStream(
            deadline: DeadlineFor(job.Options),
            cancellationToken: cancellationToken);
        var header = new StreamHeader
        {
            Options = job.HeaderOptions(),
            Width = job.Source.Width,
            Height = job.Source.Height,
            PixelFormat = new PixelFormat { BitDepth = job.Source.Format.BitDepth, ChannelCount = job.Source.Format.Channels },
            JobId = job.JobId ?? string.Empty,
        };
        header.HeldTiles.AddRange(job.Held);
        await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = header }, cancellationToken).ConfigureAwait(false);

        if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false)
            || call.ResponseStream.Current.KindCase != RestoreStreamResponse.KindOneofCase.Plan)
        {
            throw new InvalidOperationException("the server did not answer the stream header with a tile plan");
        }

        TilePlan plan = job.Accept(call.ResponseStream.Current.Plan);
        using var credit = new SemaphoreSlim(call.ResponseStream.Current.Plan.InitialCredit);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int[] pending = Enumerable.Range(0, plan.Count).Where(i => !job.Held.Contains(i)).ToArray();
        Task sending = SendTilesAsync(call.RequestStream, job.Source, plan, pending, credit, stop);
        try
        {
            return await ReceiveTilesAsync(call.ResponseStream, job, plan, credit, stop.Token).ConfigureAwait(false);
        }
        catch (Exception) when (sending.IsFaulted)
        {
            // Reading the input failed: that is the error to report, not the cancelled call.
            await sending.ConfigureAwait(false);
            throw;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await sending.ConfigureAwait(false);
            }
            catch (Exception) when (!sending.IsCompletedSuccessfully)
            {
                // Sending stops with the call; the receive side reports why.
            }
        }
    }

    private static async Task SendTilesAsync(
        IClientStreamWriter<RestoreStreamRequest> requests,
        ITileSource source,
        TilePlan plan,
        int[] pending,
        SemaphoreSlim credit,
        CancellationTokenSource stop)
    {
        int windowBytes = plan.WindowWidth * plan.WindowHeight * source.Format.BytesPerPixel;
        byte[] window = ArrayPool<byte>.Shared.Rent(windowBytes);
        try
        {
            foreach (int index in pending)
            {
                await credit.WaitAsync(stop.Token).ConfigureAwait(false);
                try
                {
                    source.ReadWindow(plan[index].Window, window.AsSpan(0, windowBytes));
                }
                catch
                {
                    // The input failed: stop the call; this error is the one reported.
                    await stop.CancelAsync().ConfigureAwait(false);
                    throw;
                }

                if (!await TryWriteAsync(requests, new RestoreStreamRequest { Tile = new InputTile { Index = index, Pixels = ByteString.CopyFrom(window, 0, windowBytes) } }, stop.Token).ConfigureAwait(false))
                {
                    return;
                }
            }

            try
            {
                await requests.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or RpcException or InvalidOperationException)
            {
                // The call broke while half-closing; the receive side reports why.
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }

    /// <summary>Writes one message; false when the call has broken (the receive side then reports the status).</summary>
    private static async Task<bool> TryWriteAsync(IClientStreamWriter<RestoreStreamRequest> requests, RestoreStreamRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await requests.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or RpcException or InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task<StreamSummary> ReceiveTilesAsync(
        IAsyncStreamReader<RestoreStreamResponse> responses,
        StreamJobState job,
        TilePlan plan,
        SemaphoreSlim credit,
        CancellationToken cancellationToken)
    {
        int bytesPerPixel = job.Source.Format.BytesPerPixel;
        byte[] tilePixels = [];
        int current = -1;
        PixelRect rect = default;
        try
        {
            while (await responses.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                RestoreStreamResponse response = responses.Current;
                switch (response.KindCase)
                {
                    case RestoreStreamResponse.KindOneofCase.Tile:
                        OutputTile part = response.Tile;
                        if (part.Index != current)
                        {
                            // A tile's parts come one after another; a new tile starts a new buffer.
                            current = part.Index;
                            rect = plan[current].OutputCore(plan.Scale);
                            int tileBytes = (int)rect.Area * bytesPerPixel;
                            if (tilePixels.Length < tileBytes)
                            {
                                ArrayPool<byte>.Shared.Return(tilePixels);
                                tilePixels = ArrayPool<byte>.Shared.Rent(tileBytes);
                            }
                        }

                        part.Pixels.Span.CopyTo(tilePixels.AsSpan(((int)part.Y - rect.Y) * rect.Width * bytesPerPixel));
                        if (part.Last)
                        {
                            job.Sink.Write(rect, tilePixels.AsSpan(0, (int)rect.Area * bytesPerPixel));
                            job.Held.Add(current);
                            current = -1;
                            job.Progress?.Report(new StreamProgressReport(job.Held.Count, plan.Count, job.Reconnects));
                        }

                        break;
                    case RestoreStreamResponse.KindOneofCase.Credit:
                        credit.Release(response.Credit.TileCount);
                        break;
                    case RestoreStreamResponse.KindOneofCase.Summary:
                        if (job.Held.Count != plan.Count)
                        {
                            throw new InvalidOperationException($"the server ended job {job.JobId} with {plan.Count - job.Held.Count} tiles missing");
                        }

                        // Read to the end: the call's OK status comes with the trailers after the summary; a call
                        // disposed before them ends CANCELLED on the client (and on its client span).
                        while (await responses.MoveNext(cancellationToken).ConfigureAwait(false))
                        {
                        }

                        return response.Summary;
                }
            }

            throw new InvalidOperationException("the stream ended without a summary");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tilePixels);
        }
    }

    /// <summary>What survives a reconnect: the job id, its plan and the tiles already in the sink.</summary>
    private sealed class StreamJobState(ITileSource source, ITileSink sink, RestoreOptions options, IProgress<StreamProgressReport>? progress)
    {
        private TilePlan? _plan;

        public ITileSource Source { get; } = source;

        public ITileSink Sink { get; } = sink;

        public RestoreOptions Options { get; } = options;

        public IProgress<StreamProgressReport>? Progress { get; } = progress;

        public string? JobId { get; private set; }

        public string Model { get; private set; } = string.Empty;

        public HashSet<int> Held { get; } = [];

        /// <summary>The header's options: the caller's, and once a plan came back its model, tile size and margin, so
        /// that any instance (one with other defaults, one that rebuilds the job) plans the same tiles.</summary>
        public ProtoRestoreOptions HeaderOptions()
        {
            ProtoRestoreOptions proto = ToProto(Options);
            if (_plan is not null)
            {
                proto.Model = Model;
                proto.Tiling.TileSize = _plan.Options.TileSize;
                proto.Tiling.TileMargin = _plan.Options.Margin;
            }

            return proto;
        }

        public int Reconnects { get; set; }

        /// <summary>Takes the server's plan: the first one starts the sink; the same plan must come back on resume.</summary>
        public TilePlan Accept(StreamPlan answer)
        {
            var plan = TilePlan.Create(Source.Width, Source.Height, new TilePlanOptions(answer.TileSize, answer.TileMargin, answer.ModelScale));
            if (plan.Count != answer.TileCount || plan.Columns != answer.ColumnCount || plan.WindowWidth != answer.WindowWidth
                || plan.WindowHeight != answer.WindowHeight || plan.OutputWidth != answer.OutputWidth || plan.OutputHeight != answer.OutputHeight)
            {
                throw new InvalidOperationException(
                    $"the server's tile plan ({answer.ColumnCount}x{answer.RowCount} tiles of {answer.WindowWidth}x{answer.WindowHeight}) differs from this SDK's ({plan.Columns}x{plan.Rows} of {plan.WindowWidth}x{plan.WindowHeight})");
            }

            if (_plan is null)
            {
                Sink.Start(plan.OutputWidth, plan.OutputHeight, Source.Format);
            }
            else if (answer.Model != Model || plan.Options != _plan.Options)
            {
                // A resume (maybe rebuilt on another instance) must cut the image the same way, or the held tiles
                // would mean other rectangles.
                throw new InvalidOperationException(
                    $"the resumed job's plan ({answer.Model}, tile {answer.TileSize} margin {answer.TileMargin}) differs from the first one ({Model}, tile {_plan.Options.TileSize} margin {_plan.Options.Margin})");
            }

            _plan = plan;
            JobId = answer.JobId;
            Model = answer.Model;
            return plan;
        }
    }
}
