namespace RestoreGrpc.Cli.Bench;

/// <summary>How many requests to send, and how many at once.</summary>
/// <param name="Requests">Measured requests.</param>
/// <param name="Concurrency">Requests in flight at once.</param>
/// <param name="Warmup">Requests sent one at a time first and not measured.</param>
internal sealed record BenchPlan(int Requests, int Concurrency, int Warmup);

/// <summary>Input image size reported by the server for one request (0 × 0 when unknown).</summary>
internal readonly record struct InputSize(int Width, int Height)
{
    public double Megapixels => Width * (double)Height / 1e6;
}
