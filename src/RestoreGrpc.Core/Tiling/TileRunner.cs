using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Tiling;

/// <summary>
/// One request's tiles through the shared <see cref="DynamicBatcher"/>, for unary and streamed requests alike: pooled
/// input and output tensors of the plan's window shape, at most <see cref="TilesInFlight"/> tiles of the request in
/// the batcher at once (waited for asynchronously; the next tile is cut while one infers, and a request loads the
/// batcher, and so the model's activation memory, no more than that), queue and inference time on the request's
/// clock, and the rule that a tile cancelled in the batcher keeps its tensors out of the pool (a batch may still be
/// using them). The inference slots themselves are the batcher's <see cref="InferenceGate"/>: the one gate.
/// </summary>
internal sealed class TileRunner : IDisposable
{
    private readonly DynamicBatcher _batcher;
    private readonly IUpscaleModel _model;
    private readonly TilePlan _plan;
    private readonly BatchOwner _owner;
    private readonly StageClock _clock;
    private readonly Action<long>? _tensorBytes;
    private readonly SemaphoreSlim _window;

    /// <param name="tensorBytes">Told of every tensor byte rented (+) and given back or abandoned (−).</param>
    public TileRunner(DynamicBatcher batcher, IUpscaleModel model, TilePlan plan, BatchOwner owner, StageClock clock, Action<long>? tensorBytes = null)
    {
        _batcher = batcher;
        _model = model;
        _plan = plan;
        _owner = owner;
        _clock = clock;
        _tensorBytes = tensorBytes;
        Normalization = TensorNormalization.For(model.Descriptor);
        InputLength = 3 * plan.WindowWidth * plan.WindowHeight;
        OutputLength = checked(InputLength * plan.Scale * plan.Scale);
        TilesInFlight = Math.Max(1, batcher.Options.TilesInFlightPerRequest);
        _window = new SemaphoreSlim(TilesInFlight, TilesInFlight);
    }

    public TensorNormalization Normalization { get; }

    /// <summary>Samples of one tile's input tensor.</summary>
    public int InputLength { get; }

    /// <summary>Samples of one tile's output tensor.</summary>
    public int OutputLength { get; }

    /// <summary>Tiles of this request in the batcher at once (<see cref="DynamicBatcherOptions.TilesInFlightPerRequest"/>).</summary>
    public int TilesInFlight { get; }

    /// <summary>Tiles in the batcher right now.</summary>
    public int Running => TilesInFlight - _window.CurrentCount;

    public float[] RentInput() => Rent(InputLength);

    /// <summary>Gives a tensor from this runner back to the pool.</summary>
    public void Return(float[] tensor)
    {
        _tensorBytes?.Invoke(-(long)tensor.Length * sizeof(float));
        TensorBuffers.Pool.Return(tensor);
    }

    /// <summary>
    /// Runs one tile whose <paramref name="input"/> (from <see cref="RentInput"/>) is filled, once one of the request's
    /// places is free. The input goes back to the pool, unless the tile is cancelled in the batcher.
    /// </summary>
    /// <returns>The output tensor (<see cref="OutputLength"/> samples), the caller's to <see cref="Return"/>.</returns>
    /// <exception cref="Errors.QueueFullException">The shared queue is at its bound.</exception>
    public async Task<float[]> InferAsync(float[] input, CancellationToken cancellationToken)
    {
        float[]? output = null;
        bool entered = false;
        bool returnInput = true;
        try
        {
            await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
            entered = true;
            output = Rent(OutputLength);
            BatchTiming timing = await _batcher.RunAsync(_model, input, output, _plan.WindowHeight, _plan.WindowWidth, _owner, cancellationToken).ConfigureAwait(false);
            _clock.AddQueueWait(timing.QueueWait);
            _clock.AddInference(timing.Inference / timing.BatchSize); // this tile's share of its batch
            float[] done = output;
            output = null;
            return done;
        }
        catch (OperationCanceledException) when (output is not null)
        {
            // A batch of one may still be reading the input and writing the output (a terminated run stops soon,
            // not at once): both go to the garbage collector, not the pool.
            _tensorBytes?.Invoke(-(long)(input.Length + output.Length) * sizeof(float));
            (output, returnInput) = (null, false);
            throw;
        }
        finally
        {
            if (entered)
            {
                _window.Release();
            }

            if (returnInput)
            {
                Return(input);
            }

            if (output is not null)
            {
                Return(output);
            }
        }
    }

    public void Dispose() => _window.Dispose();

    private float[] Rent(int length)
    {
        float[] tensor = TensorBuffers.Pool.Rent(length);
        _tensorBytes?.Invoke((long)tensor.Length * sizeof(float));
        return tensor;
    }
}
