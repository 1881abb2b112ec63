namespace RestoreGrpc.Core.Faces.Restoration;

/// <summary>
/// Colour-fidelity guard: replaces the restored crop's low frequencies (overall tone, skin colour) with the input
/// crop's, keeping the restored detail: <c>restored − blur(restored) + blur(original)</c>.
/// </summary>
internal static class ColorGuard
{
    /// <summary>Blur sigma as a fraction of the crop size: coarser than facial features.</summary>
    public const double SigmaFraction = 1.0 / 24;

    public static void Apply(RgbPlanes restored, RgbPlanes original)
    {
        double sigma = restored.Width * SigmaFraction;
        foreach ((float[] r, float[] o) in new[] { (restored.R, original.R), (restored.G, original.G), (restored.B, original.B) })
        {
            float[] lowRestored = (float[])r.Clone();
            float[] lowOriginal = (float[])o.Clone();
            GaussianBlur.Apply(lowRestored, restored.Width, restored.Height, sigma);
            GaussianBlur.Apply(lowOriginal, restored.Width, restored.Height, sigma);
            for (int i = 0; i < r.Length; i++)
            {
                r[i] = Math.Clamp(r[i] - lowRestored[i] + lowOriginal[i], 0f, 1f);
            }
        }
    }
}
