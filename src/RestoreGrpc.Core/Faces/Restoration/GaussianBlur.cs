namespace RestoreGrpc.Core.Faces.Restoration;

/// <summary>Separable Gaussian blur of one float plane, edges replicated.</summary>
internal static class GaussianBlur
{
    public static void Apply(float[] plane, int width, int height, double sigma)
    {
        if (sigma <= 0)
        {
            return;
        }

        int radius = (int)Math.Ceiling(3 * sigma);
        float[] kernel = new float[(2 * radius) + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++)
        {
            double w = Math.Exp(-(i * i) / (2 * sigma * sigma));
            kernel[i + radius] = (float)w;
            sum += w;
        }

        for (int i = 0; i < kernel.Length; i++)
        {
            kernel[i] /= (float)sum;
        }

        float[] temp = new float[plane.Length];
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            for (int x = 0; x < width; x++)
            {
                float acc = 0;
                for (int k = -radius; k <= radius; k++)
                {
                    acc += kernel[k + radius] * plane[row + Math.Clamp(x + k, 0, width - 1)];
                }

                temp[row + x] = acc;
            }
        }

        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float acc = 0;
                for (int k = -radius; k <= radius; k++)
                {
                    acc += kernel[k + radius] * temp[(Math.Clamp(y + k, 0, height - 1) * width) + x];
                }

                plane[(y * width) + x] = acc;
            }
        }
    }
}
