using System.Numerics;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Memory;

/// <summary>
/// What one unary restoration holds at its peak, computed from the image header before anything is decoded: the
/// decoded input, the model's output canvas, the resized final canvas (when the requested scale is not the model's),
/// the encoded output (at worst about its raw size), the tile tensors in flight (input and output window of each, as
/// the power-of-two tensor pool hands them out) and, for face tasks, the RGB copy the detector reads. The received
/// message is counted apart, at receipt. Pixels are held as RGBA, 8 or 16 bits per sample.
/// </summary>
public static class RequestMemory
{
    /// <param name="width">Input width in pixels.</param>
    /// <param name="height">Input height in pixels.</param>
    /// <param name="bitDepth">Bits per sample of the input (above 8: held as 16-bit).</param>
    /// <param name="outputWidth">Final output width.</param>
    /// <param name="outputHeight">Final output height.</param>
    /// <param name="plan">The super-resolution tile plan, or null when no model runs (faces only).</param>
    /// <param name="tilesInFlight">Tiles a request keeps in the batcher at once.</param>
    /// <param name="faces">Whether faces are detected on the input.</param>
    public static long Restoration(int width, int height, int bitDepth, int outputWidth, int outputHeight, TilePlan? plan, int tilesInFlight, bool faces)
    {
        long bytesPerPixel = bitDepth > 8 ? 8 : 4;
        long input = (long)width * height;
        long canvas = plan is null ? input : (long)plan.OutputWidth * plan.OutputHeight;
        long final = (long)outputWidth * outputHeight;
        long resized = final != canvas ? final : 0;
        long encoded = final * (bytesPerPixel - 1);
        long tensors = plan is null ? 0 : Math.Min(plan.Count, Math.Max(1, tilesInFlight)) * TileTensorBytes(plan);
        long detection = faces ? input * 3 : 0;
        return ((input + canvas + resized) * bytesPerPixel) + encoded + tensors + detection;
    }

    /// <summary>
    /// What one tile stream holds at its peak: for each tile of its credit, the received window (the raw pixels, as
    /// sent), the tensors of its window and its finished output tile, plus the buffer one output band is written
    /// from. Never the image: that is the point of streaming.
    /// </summary>
    /// <param name="plan">The stream's tile plan.</param>
    /// <param name="credit">Tiles the client may have in flight.</param>
    /// <param name="bytesPerPixel">Bytes per pixel of the stream's raw format.</param>
    /// <param name="partBytes">Largest output band.</param>
    public static long Stream(TilePlan plan, int credit, int bytesPerPixel, long partBytes)
    {
        ArgumentNullException.ThrowIfNull(plan);
        long window = (long)plan.WindowWidth * plan.WindowHeight * bytesPerPixel;
        long outputTile = (long)plan.Options.TileSize * plan.Options.TileSize * plan.Options.Scale * plan.Options.Scale * bytesPerPixel;
        return (Math.Max(1, credit) * (window + outputTile + TileTensorBytes(plan))) + partBytes;
    }

    /// <summary>The input and output float tensors of one tile window, rounded up as a power-of-two pool rents them.</summary>
    public static long TileTensorBytes(TilePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        long window = 3L * plan.WindowWidth * plan.WindowHeight;
        long output = window * plan.Options.Scale * plan.Options.Scale;
        return sizeof(float) * (long)(BitOperations.RoundUpToPowerOf2((ulong)window) + BitOperations.RoundUpToPowerOf2((ulong)output));
    }
}
