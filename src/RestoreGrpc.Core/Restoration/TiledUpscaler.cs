using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Tiling;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Restoration;

/// <summary>
/// Runs a model over an image tile by tile and assembles the cores into the output. Tensors come from a pool and
/// are reused across tiles; each tile takes the inference gate separately so concurrent requests interleave.
/// </summary>
internal static class TiledUpscaler
{
    public static async Task<Image<TPixel>> UpscaleAsync<TPixel>(
        Image<TPixel> source,
        TilePlan plan,
        IUpscaleModel model,
        InferenceGate gate,
        StageClock clock,
        CancellationToken cancellationToken)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        var normalization = TensorNormalization.For(model.Descriptor);
        int inputLength = 3 * plan.WindowWidth * plan.WindowHeight;
        int outputLength = checked(inputLength * plan.Scale * plan.Scale);
        float[] input = TensorBuffers.Pool.Rent(inputLength);
        float[] output = TensorBuffers.Pool.Rent(outputLength);
        var result = new Image<TPixel>(source.GetConfiguration(), plan.OutputWidth, plan.OutputHeight);
        try
        {
            foreach (Tile tile in plan.Tiles)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long started = StageClock.Now;
                TileTensorReader.Read(source, plan, tile, normalization, input.AsSpan(0, inputLength));
                clock.AddTiling(started);

                started = StageClock.Now;
                using (await gate.EnterAsync(cancellationToken).ConfigureAwait(false))
                {
                    clock.AddQueueWait(started);
                    started = StageClock.Now;
                    model.Run(input, output, 1, plan.WindowHeight, plan.WindowWidth, cancellationToken);
                    clock.AddInference(started);
                }

                started = StageClock.Now;
                TileTensorWriter.Write(output.AsSpan(0, outputLength), plan, tile, normalization, result);
                clock.AddTiling(started);
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
        finally
        {
            TensorBuffers.Pool.Return(input);
            TensorBuffers.Pool.Return(output);
        }
    }
}
