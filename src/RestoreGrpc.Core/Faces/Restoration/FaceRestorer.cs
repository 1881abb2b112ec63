using System.Diagnostics;
using System.Numerics;
using RestoreGrpc.Core.Faces.Alignment;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Telemetry;
using RestoreGrpc.Core.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Core.Faces.Restoration;

/// <summary>
/// Aligns each face of a canvas onto the restorer's crop (least-squares similarity to the FFHQ template, bilinear
/// warp with replicated edges), restores the crops in batches, and pastes them back through the inverse transform
/// and a feathered mask. The canvas is the final-resolution background (super-resolved or resampled).
/// </summary>
internal static class FaceRestorer
{
    /// <param name="batcher">Crops queue here with those of concurrent requests and run in shared batches.</param>
    /// <param name="owner">The request, its tenant and priority, for fair batching.</param>
    public static Task RestoreAsync<TPixel>(
        Image<TPixel> canvas,
        IReadOnlyList<AlignedFace> faces,
        IUpscaleModel restorer,
        FaceRestoreSettings settings,
        DynamicBatcher batcher,
        BatchOwner owner,
        CancellationToken cancellationToken)
        where TPixel : unmanaged, IPixel<TPixel> =>
        RestoreAsync(canvas, faces, restorer, settings, batcher, owner, faceInferred: null, cancellationToken);

    /// <param name="faceInferred">Called as each face's crop comes back from the restorer (for progress).</param>
    public static async Task RestoreAsync<TPixel>(
        Image<TPixel> canvas,
        IReadOnlyList<AlignedFace> faces,
        IUpscaleModel restorer,
        FaceRestoreSettings settings,
        DynamicBatcher batcher,
        BatchOwner owner,
        Action? faceInferred,
        CancellationToken cancellationToken)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        int size = restorer.Descriptor.FixedSize;
        int length = 3 * size * size;
        var normalization = TensorNormalization.For(restorer.Descriptor);
        RgbPlanes[] originals = RestoreTelemetry.Traced(RestoreStages.FaceAlign, () => faces.Select(face => WarpToCrop(canvas, face)).ToArray());
        float[][] inputs = originals.Select(_ => TensorBuffers.Pool.Rent(length)).ToArray();
        float[][] outputs = originals.Select(_ => TensorBuffers.Pool.Rent(length)).ToArray();
        try
        {
            for (int i = 0; i < originals.Length; i++)
            {
                WriteTensor(originals[i], normalization, inputs[i].AsSpan(0, length));
            }

            await RestoreTelemetry.TracedAsync(
                RestoreStages.FaceRestore,
                () => Task.WhenAll(inputs.Select((input, i) => InferAsync(input, outputs[i]))),
                [new(RestoreAttributes.Model, restorer.Descriptor.Name), new(RestoreAttributes.Faces, faces.Count)])
                .ConfigureAwait(false);

            using Activity? paste = RestoreTelemetry.StartStage(RestoreStages.FacePaste);
            for (int i = 0; i < faces.Count; i++)
            {
                RgbPlanes restored = ReadTensor(outputs[i].AsSpan(0, length), normalization, size);
                if (settings.ColorFidelity)
                {
                    ColorGuard.Apply(restored, originals[i]);
                }

                PasteBack(canvas, faces[i], restored, (float)Math.Clamp(settings.Blend, 0, 1));
            }
        }
        finally
        {
            // A batch still running for a cancelled call may write into an output: only inputs are safe to reuse.
            foreach (float[] input in inputs)
            {
                TensorBuffers.Pool.Return(input);
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                foreach (float[] output in outputs)
                {
                    TensorBuffers.Pool.Return(output);
                }
            }
        }

        async Task<BatchTiming> InferAsync(float[] input, float[] output)
        {
            BatchTiming timing = await batcher.RunAsync(restorer, input, output, size, size, owner, cancellationToken).ConfigureAwait(false);
            faceInferred?.Invoke();
            return timing;
        }
    }

    /// <summary>The crop a face's transform selects from the canvas, as floats in [0, 1].</summary>
    internal static RgbPlanes WarpToCrop<TPixel>(Image<TPixel> canvas, AlignedFace face)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        int size = face.CropSize;
        SimilarityTransform cropToCanvas = face.CanvasToCrop.Invert();
        RgbPlanes source = RgbPlanes.Read(canvas, CanvasRegion(canvas, face));
        var crop = new RgbPlanes(0, 0, size, size);
        for (int v = 0; v < size; v++)
        {
            for (int u = 0; u < size; u++)
            {
                (double x, double y) = cropToCanvas.Apply(u + 0.5, v + 0.5);
                crop[u, v] = source.Sample(x, y);
            }
        }

        return crop;
    }

    /// <summary>
    /// Blends <paramref name="crop"/> into the canvas through the inverse transform, with weight mask × blend. The
    /// blend happens here, against the canvas's own pixels, so blend 0 leaves the canvas exactly as it was.
    /// </summary>
    internal static void PasteBack<TPixel>(Image<TPixel> canvas, AlignedFace face, RgbPlanes crop, float blend = 1f)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        int size = face.CropSize;
        float[] mask = SoftMask.ForSize(size);
        RgbPlanes region = RgbPlanes.Read(canvas, CanvasRegion(canvas, face));
        for (int y = 0; y < region.Height; y++)
        {
            for (int x = 0; x < region.Width; x++)
            {
                (double u, double v) = face.CanvasToCrop.Apply(region.OriginX + x + 0.5, region.OriginY + y + 0.5);
                float weight = blend * SoftMask.Sample(mask, size, u, v);
                if (weight > 0)
                {
                    region[x, y] = Vector3.Lerp(region[x, y], crop.Sample(u, v), weight);
                }
            }
        }

        region.Write(canvas);
    }

    /// <summary>The canvas pixels a crop touches (its four corners mapped back), clipped to the canvas.</summary>
    internal static Rectangle CanvasRegion<TPixel>(Image<TPixel> canvas, AlignedFace face)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        SimilarityTransform cropToCanvas = face.CanvasToCrop.Invert();
        (double X, double Y)[] corners =
        [
            cropToCanvas.Apply(0, 0),
            cropToCanvas.Apply(face.CropSize, 0),
            cropToCanvas.Apply(0, face.CropSize),
            cropToCanvas.Apply(face.CropSize, face.CropSize),
        ];
        int left = Math.Clamp((int)Math.Floor(corners.Min(c => c.X)) - 2, 0, canvas.Width - 1);
        int top = Math.Clamp((int)Math.Floor(corners.Min(c => c.Y)) - 2, 0, canvas.Height - 1);
        int right = Math.Clamp((int)Math.Ceiling(corners.Max(c => c.X)) + 2, left + 1, canvas.Width);
        int bottom = Math.Clamp((int)Math.Ceiling(corners.Max(c => c.Y)) + 2, top + 1, canvas.Height);
        return new Rectangle(left, top, right - left, bottom - top);
    }

    private static void WriteTensor(RgbPlanes crop, TensorNormalization normalization, Span<float> tensor)
    {
        int plane = crop.R.Length;
        float[][] channels = [crop.R, crop.G, crop.B];
        for (int c = 0; c < 3; c++)
        {
            int t = normalization.TensorChannel(c);
            Span<float> target = tensor.Slice(t * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                target[i] = normalization.ToModel(channels[c][i], t);
            }
        }
    }

    private static RgbPlanes ReadTensor(ReadOnlySpan<float> tensor, TensorNormalization normalization, int size)
    {
        var crop = new RgbPlanes(0, 0, size, size);
        int plane = size * size;
        float[][] channels = [crop.R, crop.G, crop.B];
        for (int c = 0; c < 3; c++)
        {
            int t = normalization.TensorChannel(c);
            ReadOnlySpan<float> source = tensor.Slice(t * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                channels[c][i] = Math.Clamp(normalization.FromModel(source[i], t), 0f, 1f);
            }
        }

        return crop;
    }
}
