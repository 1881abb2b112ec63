using System.Threading.Channels;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Tiling;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Streaming;

/// <summary>
/// One stream attached to a <see cref="StreamingJob"/>: accepts input tiles within the credit, runs each through
/// the shared <see cref="DynamicBatcher"/> (so streamed tiles batch with other requests' tiles and obey admission
/// and cancellation), and hands finished tiles to the host through <see cref="Completed"/>. It holds only the tiles
/// in flight (at most the credit), never the image. Protocol violations throw <see cref="InvalidRequestException"/>;
/// disposing cancels queued and running tiles and returns their memory at once.
/// </summary>
public sealed class StreamingSession : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly StreamingJob _job;
    private readonly StreamingJobRegistry _registry;
    private readonly DynamicBatcher _batcher;
    private readonly BatchOwner _owner;
    private readonly StreamingOptions _options;
    private readonly TensorNormalization _normalization;
    private readonly StageClock _clock = new();
    private readonly CancellationTokenSource _attachment;
    private readonly CancellationTokenSource _stop;
    private readonly bool[] _expected;
    private readonly bool[] _received;
    private readonly Channel<CompletedTile> _completed = Channel.CreateUnbounded<CompletedTile>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Task> _running = [];
    private readonly SemaphoreSlim _inferenceSlots;
    private readonly int _inputLength;
    private readonly int _outputLength;
    private int _receivedCount;
    private int _granted;
    private int _inFlight;
    private int _sentCount;
    private bool _inputEnded;

    internal StreamingSession(
        StreamingJob job,
        StreamingJobRegistry registry,
        DynamicBatcher batcher,
        BatchOwner owner,
        StreamingOptions options,
        IReadOnlyCollection<int> held,
        CancellationToken callCancelled)
    {
        _job = job;
        _registry = registry;
        _batcher = batcher;
        _owner = owner;
        _options = options;
        _normalization = TensorNormalization.For(job.Model.Descriptor);
        TilePlan plan = job.Plan;
        _inputLength = 3 * plan.WindowWidth * plan.WindowHeight;
        _outputLength = checked(_inputLength * plan.Scale * plan.Scale);
        // Received tiles beyond these wait as tensors: a stream loads the batcher like a unary request (its batches, and
        // so the model's activation memory, stay as small), while the credit keeps the network busy.
        _inferenceSlots = new SemaphoreSlim(Math.Max(1, batcher.Options.TilesInFlightPerRequest));
        _expected = new bool[plan.Count];
        _received = new bool[plan.Count];
        Array.Fill(_expected, true);
        foreach (int index in held)
        {
            _expected[index] = false;
        }

        PendingTiles = Enumerable.Range(0, plan.Count).Where(i => _expected[i]).ToArray();
        InitialCredit = Math.Min(Math.Max(1, options.Credit), PendingTiles.Count);
        _granted = InitialCredit;
        _attachment = job.Attach();
        _stop = CancellationTokenSource.CreateLinkedTokenSource(callCancelled, _attachment.Token);
        if (PendingTiles.Count == 0)
        {
            _completed.Writer.TryComplete();
        }
    }

    public StreamingJob Job => _job;

    /// <summary>Tiles this stream expects, in the suggested sending order (row-major).</summary>
    public IReadOnlyList<int> PendingTiles { get; }

    public int InitialCredit { get; }

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
                throw new InvalidRequestException(StreamFields.TileIndex, $"is {index}, outside the plan (tiles 0..{plan.Count - 1})");
            }

            if (!_expected[index])
            {
                throw new InvalidRequestException(StreamFields.TileIndex, $"tile {index} was listed in held_tiles: the client already holds its output");
            }

            if (_received[index])
            {
                throw new InvalidRequestException(StreamFields.TileIndex, $"tile {index} was already sent on this stream (duplicate)");
            }

            if (_receivedCount >= _granted)
            {
                throw new InvalidRequestException(StreamFields.Tile, $"sent beyond the credit: {_granted} tiles granted so far; wait for a CreditGrant before sending more");
            }

            long expectedBytes = (long)plan.WindowWidth * plan.WindowHeight * _job.Format.BytesPerPixel;
            if (pixels.Length != expectedBytes)
            {
                throw new InvalidRequestException(
                    StreamFields.TilePixels,
                    $"has {pixels.Length} bytes; tile {index}'s window is {plan.WindowWidth}x{plan.WindowHeight} {_job.Format} = {expectedBytes} bytes");
            }

            _received[index] = true;
            _receivedCount++;
            _inFlight++;
        }

        Tile tile = plan[index];
        float[] input = Rent(_inputLength);
        long started = StageClock.Now;
        RawTileCodec.ToTensor(pixels.Span, plan.WindowWidth, plan.WindowHeight, _job.Format, _normalization, input.AsSpan(0, _inputLength));
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
            int grant = _granted < PendingTiles.Count ? 1 : 0;
            _granted += grant;
            bool done = _sentCount == PendingTiles.Count;
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
        _inferenceSlots.Dispose();
    }

    private void CompleteIfStalled()
    {
        if (_inputEnded && _inFlight == 0 && _sentCount < PendingTiles.Count)
        {
            _completed.Writer.TryComplete(new InvalidRequestException(
                StreamFields.Tile,
                $"the client half-closed the stream after {_receivedCount} of {PendingTiles.Count} pending tiles; reopen with job_id {_job.Id} to resume"));
        }
    }

    private async Task RunTileAsync(Tile tile, float[] input)
    {
        TilePlan plan = _job.Plan;
        float[]? output = null;
        bool slot = false;
        try
        {
            await _inferenceSlots.WaitAsync(_stop.Token).ConfigureAwait(false);
            slot = true;
            output = Rent(_outputLength);
            BatchTiming timing = await _batcher.RunAsync(_job.Model, input, output, plan.WindowHeight, plan.WindowWidth, _owner, _stop.Token).ConfigureAwait(false);
            _clock.AddQueueWait(timing.QueueWait);
            _clock.AddInference(timing.Inference / timing.BatchSize);
            var completed = new CompletedTile(tile, plan, _job.Format, _normalization, _options.OutputPartBytes, output, Return);
            output = null;
            if (!_completed.Writer.TryWrite(completed))
            {
                completed.Dispose();
            }
        }
        catch (OperationCanceledException)
        {
            // A batch may still be writing into the output tensor: it goes to the garbage collector, not the pool.
            if (output is not null)
            {
                _job.AddBytes(-(long)output.Length * sizeof(float));
                output = null;
            }
        }
        catch (Exception e)
        {
            _completed.Writer.TryComplete(e);
            await _stop.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            if (slot)
            {
                _inferenceSlots.Release();
            }

            Return(input);
            if (output is not null)
            {
                Return(output);
            }
        }
    }

    private float[] Rent(int length)
    {
        float[] tensor = TensorBuffers.Pool.Rent(length);
        _job.AddBytes((long)tensor.Length * sizeof(float));
        return tensor;
    }

    private void Return(float[] tensor)
    {
        _job.AddBytes(-(long)tensor.Length * sizeof(float));
        TensorBuffers.Pool.Return(tensor);
    }
}
