using System.Collections;
using System.Threading.Channels;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Tiling;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Streaming;

/// <summary>
/// One stream attached to a <see cref="StreamingJob"/>: accepts input tiles within the credit, runs each through a
/// <see cref="TileRunner"/> (the shared batcher, so streamed tiles batch with other requests' tiles and obey admission
/// and cancellation), and hands finished tiles to the host through <see cref="Completed"/>. It holds only the tiles
/// in flight (at most the credit), never the image, and nothing in proportion to the plan before its first tile.
/// Protocol violations throw <see cref="InvalidRequestException"/>; disposing cancels queued and running tiles and
/// returns their memory at once.
/// </summary>
public sealed class StreamingSession : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly StreamingJob _job;
    private readonly StreamingJobRegistry _registry;
    private readonly StreamingOptions _options;
    private readonly StageClock _clock = new();
    private readonly TileRunner _runner;
    private readonly CancellationTokenSource _attachment;
    private readonly CancellationTokenSource _stop;
    private readonly HashSet<int> _held;
    private readonly Channel<CompletedTile> _completed = Channel.CreateUnbounded<CompletedTile>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Task> _running = [];
    private BitArray? _received;
    private int _receivedCount;
    private int _granted;
    private int _inFlight;
    private int _sentCount;
    private bool _inputEnded;

    internal StreamingSession(
        StreamingJob job,
        StreamingJobRegistry registry,
        CancellationTokenSource attachment,
        DynamicBatcher batcher,
        BatchOwner owner,
        StreamingOptions options,
        IReadOnlyCollection<int> held,
        CancellationToken callCancelled)
    {
        _job = job;
        _registry = registry;
        _options = options;
        _attachment = attachment;
        // Received tiles beyond the runner's tiles in flight wait as tensors: a stream loads the batcher like a unary
        // request (its batches, and so the model's activation memory, stay as small), while the credit keeps the
        // network busy.
        _runner = new TileRunner(batcher, job.Model, job.Plan, owner, _clock, job.AddBytes);
        _held = [.. held];
        PendingCount = job.Plan.Count - _held.Count;
        InitialCredit = Math.Min(Math.Max(1, options.Credit), PendingCount);
        _granted = InitialCredit;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(callCancelled, _attachment.Token);
        if (PendingCount == 0)
        {
            _completed.Writer.TryComplete();
        }
    }

    public StreamingJob Job => _job;

    /// <summary>Tiles this stream expects: every tile of the plan not held by the client (row-major is the suggested
    /// sending order).</summary>
    public int PendingCount { get; }

    public int InitialCredit { get; }

    /// <summary>Whether the header resumed a job this server did not know, rebuilt from the header and the held tiles
    /// (the job started on another instance, or expired here).</summary>
    public bool Rebuilt { get; internal init; }

    /// <summary>Cancelled when the call ends or a newer stream resumes the job.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Whether a newer stream of the same job took over from this one.</summary>
    public bool WasTakenOver => _attachment.IsCancellationRequested;

    /// <summary>Finished tiles, in completion order. Completes when every pending tile has been marked sent, and
    /// fails with the error that stopped the stream (a model failure, an early end of input).</summary>
    public ChannelReader<CompletedTile> Completed => _completed.Reader;

    /// <summary>Takes one input tile: the raw pixels of its whole window.</summary>
    /// <exception cref="InvalidRequestException">Outside the plan, not expected, a duplicate, over the credit or the
    /// wrong size.</exception>
    /// <exception cref="QueueFullException">The shared inference queue is full.</exception>
    public void Accept(int index, ReadOnlyMemory<byte> pixels)
    {
        TilePlan plan = _job.Plan;
        lock (_lock)
        {
            if (index < 0 || index >= plan.Count)
            {
                throw new InvalidRequestException(RequestField.StreamTileIndex, $"is {index}, outside the plan (tiles 0..{plan.Count - 1})");
            }

            if (_held.Contains(index))
            {
                throw new InvalidRequestException(RequestField.StreamTileIndex, $"tile {index} was listed in held_tiles: the client already holds its output");
            }

            if (_received is not null && _received[index])
            {
                throw new InvalidRequestException(RequestField.StreamTileIndex, $"tile {index} was already sent on this stream (duplicate)");
            }

            if (_receivedCount >= _granted)
            {
                throw new InvalidRequestException(RequestField.StreamTile, $"sent beyond the credit: {_granted} tiles granted so far; wait for a CreditGrant before sending more");
            }

            long expectedBytes = (long)plan.WindowWidth * plan.WindowHeight * _job.Format.BytesPerPixel;
            if (pixels.Length != expectedBytes)
            {
                throw new InvalidRequestException(
                    RequestField.StreamTilePixels,
                    $"has {pixels.Length} bytes; tile {index}'s window is {plan.WindowWidth}x{plan.WindowHeight} {_job.Format} = {expectedBytes} bytes");
            }

            // One bit per tile of the plan, allocated by the first tile rather than the header.
            _received ??= new BitArray(plan.Count);
            _received[index] = true;
            _receivedCount++;
            _inFlight++;
        }

        Tile tile = plan[index];
        float[] input = _runner.RentInput();
        long started = StageClock.Now;
        RawTileCodec.ToTensor(pixels.Span, plan.WindowWidth, plan.WindowHeight, _job.Format, _runner.Normalization, input.AsSpan(0, _runner.InputLength));
        _clock.AddTiling(started);
        Task running = RunTileAsync(tile, input);
        lock (_lock)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(running);
        }
    }

    /// <summary>The client half-closed. Tiles in flight still finish; if some pending tiles never came, the stream
    /// then fails (the job stays resumable).</summary>
    public void InputEnded()
    {
        lock (_lock)
        {
            _inputEnded = true;
            CompleteIfStalled();
        }
    }

    /// <summary>Records that a finished tile has been written to the client, and grants one more tile of credit
    /// while tiles remain to be received.</summary>
    public StreamProgressInfo MarkSent(CompletedTile tile)
    {
        ArgumentNullException.ThrowIfNull(tile);
        _job.MarkSent(tile.Tile.Index);
        lock (_lock)
        {
            _inFlight--;
            _sentCount++;
            int grant = _granted < PendingCount ? 1 : 0;
            _granted += grant;
            bool done = _sentCount == PendingCount;
            if (done)
            {
                _completed.Writer.TryComplete();
            }
            else
            {
                CompleteIfStalled();
            }

            return new StreamProgressInfo(_job.SentCount, _job.Plan.Count, _inFlight, grant, done);
        }
    }

    public StreamSummaryInfo Summary()
    {
        TilePlan plan = _job.Plan;
        return new StreamSummaryInfo(_job.Id, plan.Count, _sentCount, plan.OutputWidth, plan.OutputHeight, _clock.Snapshot(), _job.PeakBytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
        }

        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (Exception) when (running.Length > 0)
        {
            // Cancelled or failed tiles: their errors were reported through the channel.
        }

        _completed.Writer.TryComplete();
        while (_completed.Reader.TryRead(out CompletedTile? unsent))
        {
            unsent.Dispose();
        }

        _job.Detach(_attachment, _registry.Now);
        _stop.Dispose();
        _attachment.Dispose();
        _runner.Dispose();
    }

    private void CompleteIfStalled()
    {
        if (_inputEnded && _inFlight == 0 && _sentCount < PendingCount)
        {
            _completed.Writer.TryComplete(new InvalidRequestException(
                RequestField.StreamTile,
                $"the client half-closed the stream after {_receivedCount} of {PendingCount} pending tiles; reopen with job_id {_job.Id} to resume"));
        }
    }

    private async Task RunTileAsync(Tile tile, float[] input)
    {
        try
        {
            float[] output = await _runner.InferAsync(input, _stop.Token).ConfigureAwait(false);
            var completed = new CompletedTile(tile, _job.Plan, _job.Format, _runner.Normalization, _options.OutputPartBytes, output, _runner.Return);
            if (!_completed.Writer.TryWrite(completed))
            {
                completed.Dispose();
            }
        }
        catch (OperationCanceledException)
        {
            // The stream is stopping; the runner kept what a batch may still use out of the pool.
        }
        catch (Exception e)
        {
            _completed.Writer.TryComplete(e);
            await _stop.CancelAsync().ConfigureAwait(false);
        }
    }
}
