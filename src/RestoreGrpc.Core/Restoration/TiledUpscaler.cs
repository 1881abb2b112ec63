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
/// Runs a model over an image tile by tile and assembles the cores into the output. Each tile is cut, run through a
/// <see cref="TileRunner"/> (the shared batcher, so tiles of the same window shape from different requests share
/// batches) and written; up to the runner's tiles in flight are cut ahead, so the next tile is cut and normalised
/// while the current one infers, and memory stays bounded (pooled tensors, a few per request) whatever the image size.
/// </summary>
internal static class TiledUpscaler
{
    public static async Task<Image<TPixel>> UpscaleAsync<TPixel>(
        Image<TPixel> source,
        TilePlan plan,
        IUpscaleModel model,
        DynamicBatcher batcher,
        BatchOwner owner,
        StageClock clock,
        ProgressTracker progress,
        CancellationToken cancellationToken)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using var runner = new TileRunner(batcher, model, plan, owner, clock);
        var result = new Image<TPixel>(source.GetConfiguration(), plan.OutputWidth, plan.OutputHeight);
        var inFlight = new List<Task>();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            foreach (Tile tile in plan.Tiles)
            {
                if (inFlight.Count >= runner.TilesInFlight)
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
            float[] input = runner.RentInput();
            long started = StageClock.Now;
            try
            {
                TileTensorReader.Read(source, plan, tile, runner.Normalization, input.AsSpan(0, runner.InputLength));
            }
            catch
            {
                runner.Return(input);
                throw;
            }

            clock.AddTiling(started);
            float[] output = await runner.InferAsync(input, failed.Token).ConfigureAwait(false);
            try
            {
                started = StageClock.Now;
                using (RestoreTelemetry.StartStage(RestoreStages.Assemble))
                {
                    TileTensorWriter.Write(output.AsSpan(0, runner.OutputLength), plan, tile, runner.Normalization, result);
                }

                clock.AddTiling(started);
            }
            finally
            {
                runner.Return(output);
            }

            progress.TileDone();
        }
    }
}
