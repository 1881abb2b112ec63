using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using RestoreGrpc.Core.Imaging;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Models;

/// <summary>
/// The built-in "model": Lanczos-3 resampling through the same tiled pipeline, so a server without model files
/// still serves every request shape. Lanczos-3 reads 3 source pixels either side, so margins ≥ 3 make tiled output
/// equal whole-image resampling.
/// </summary>
internal sealed class ResamplerModel : IUpscaleModel
{
    public ResamplerModel(ModelDescriptor descriptor) => Descriptor = descriptor;

    public ModelDescriptor Descriptor { get; }

    public int Scale => Descriptor.Scale;

    public string ExecutionProvider => BuiltinModels.ExecutionProvider;

    public void Run(Memory<float> input, Memory<float> output, int batch, int height, int width, CancellationToken cancellationToken)
    {
        int plane = height * width;
        int outHeight = height * Scale;
        int outWidth = width * Scale;
        int outPlane = outHeight * outWidth;
        // Alpha is 1 everywhere here, so premultiplication would change nothing.
        ResizeOptions resize = LanczosResize.To(outWidth, outHeight);

        for (int b = 0; b < batch; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOnlySpan<float> src = input.Span.Slice(b * 3 * plane, 3 * plane);
            using var image = new Image<RgbaVector>(width, height);
            for (int y = 0; y < height; y++)
            {
                Span<RgbaVector> row = image.DangerousGetPixelRowMemory(y).Span;
                for (int x = 0; x < width; x++)
                {
                    int i = (y * width) + x;
                    row[x] = new RgbaVector(src[i], src[plane + i], src[(2 * plane) + i]);
                }
            }

            image.Mutate(context => context.Resize(resize));

            Span<float> dst = output.Span.Slice(b * 3 * outPlane, 3 * outPlane);
            for (int y = 0; y < outHeight; y++)
            {
                Span<RgbaVector> row = image.DangerousGetPixelRowMemory(y).Span;
                for (int x = 0; x < outWidth; x++)
                {
                    int i = (y * outWidth) + x;
                    dst[i] = row[x].R;
                    dst[outPlane + i] = row[x].G;
                    dst[(2 * outPlane) + i] = row[x].B;
                }
            }
        }
    }
}
