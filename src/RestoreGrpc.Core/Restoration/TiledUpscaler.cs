using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Telemetry;
using RestoreGrpc.Core.Tiling;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Restoration;

/// <summary>
/// Runs a model over an image tile by tile and assembles the cores into the output. Tiles go through the shared
/// <see cref="DynamicBatcher"/>, so tiles of the same window shape from different requests share batches; up to
/// <c>tilesInFlight</c> tiles of one request are queued at once, so the next tile is cut and normalised while the
/// current one infers, and memory stays bounded (pooled tensors, a few per request) whatever the image size.
/// </summary>
internal static class TiledUpscaler
{
    public static async Task<Image<TPixel>> UpscaleAsync<TPixel>(
        Image<TPixel> source,
        TilePlan plan,
        IUpscaleModel model,
        DynamicBatcher batcher,
        BatchOwner owner,
        int tilesInFlight,
        StageClock clock,
        CancellationToken cancellationToken)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        var normalization = TensorNormalization.For(model.Descriptor);
        int inputLength = 3 * plan.WindowWidth * plan.WindowHeight;
        int outputLength = checked(inputLength * plan.Scale * plan.Scale);
        var result = new Image<TPixel>(source.GetConfiguration(), plan.OutputWidth, plan.OutputHeight);
        var inFlight = new List<Task>();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            foreach (Tile tile in plan.Tiles)
            {
                if (inFlight.Count >= Math.Max(1, tilesInFlight))
                {
                    Task done = await Task.WhenAny(inFlight).ConfigureAwait(false);
                    inFlight.Remove(done);
                    await done.ConfigureAwait(false);
                }

                failed.Token.ThrowIfCancellationRequested();
                inFlight.Add(RunTileAsync(tile));
            }

            await Task.WhenAll(inFlight).ConfigureAwait(false);
            return result;
        }
        catch
        {
            // Stop this request's other tiles (queued ones leave the queue), then let them finish before the output
            // image goes away.
            await failed.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(inFlight).ConfigureAwait(false);
            }
            catch (Exception) when (inFlight.Count > 0)
            {
            }

            result.Dispose();
            throw;
        }

        async Task RunTileAsync(Tile tile)
        {
            float[] input = TensorBuffers.Pool.Rent(inputLength);
            float[] output = TensorBuffers.Pool.Rent(outputLength);
            bool returnOutput = true;
            try
            {
                long started = StageClock.Now;
                TileTensorReader.Read(source, plan, tile, normalization, input.AsSpan(0, inputLength));
                clock.AddTiling(started);

                BatchTiming timing = await batcher.RunAsync(model, input, output, plan.WindowHeight, plan.WindowWidth, owner, failed.Token).ConfigureAwait(false);
                clock.AddQueueWait(timing.QueueWait);
                clock.AddInference(timing.Inference / timing.BatchSize); // this tile's share of its batch

                started = StageClock.Now;
                using (RestoreTelemetry.StartStage(RestoreStages.Assemble))
                {
                    TileTensorWriter.Write(output.AsSpan(0, outputLength), plan, tile, normalization, result);
                }

                clock.AddTiling(started);
            }
            catch (OperationCanceledException)
            {
                // A batch may still be writing into this output: it must not go back to the pool.
                returnOutput = false;
                throw;
            }
            finally
            {
                TensorBuffers.Pool.Return(input);
                if (returnOutput)
                {
                    TensorBuffers.Pool.Return(output);
                }
            }
        }
    }
}
