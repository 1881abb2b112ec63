namespace RestoreGrpc.Benchmarks.Networks;

/// <summary>
/// Deterministic random weights for the generated speed-measurement networks (SplitMix64, so the same seed gives the
/// same file on every machine and .NET version). Values are uniform with a chosen standard deviation, which keeps the
/// variance of a He/Kaiming-style init at a fraction of the cost of normal sampling. Random weights, for speed
/// measurement only: nothing built from them restores anything.
/// </summary>
public sealed class SeededWeights
{
    private ulong _state;

    public SeededWeights(ulong seed) => _state = seed;

    /// <summary><paramref name="count"/> values uniform on ±√3·<paramref name="standardDeviation"/> (that standard deviation, mean 0).</summary>
    public float[] Uniform(long count, double standardDeviation)
    {
        var values = new float[count];
        double halfWidth = Math.Sqrt(3) * standardDeviation;
        for (long i = 0; i < count; i++)
        {
            values[i] = (float)((NextUnit() * 2 - 1) * halfWidth);
        }

        return values;
    }

    /// <summary><paramref name="count"/> copies of <paramref name="value"/>.</summary>
    public static float[] Filled(long count, float value)
    {
        var values = new float[count];
        Array.Fill(values, value);
        return values;
    }

    /// <summary>A value uniform on [0, 1).</summary>
    private double NextUnit()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
