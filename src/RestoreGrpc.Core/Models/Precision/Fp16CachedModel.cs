namespace RestoreGrpc.Core.Models.Precision;

/// <summary>A float16 model file from <see cref="Fp16ModelCache"/>.</summary>
/// <param name="Path">The converted file.</param>
/// <param name="Reused">It was already cached (no conversion ran).</param>
/// <param name="ConversionTime">Parsing, converting and serialising (zero when reused).</param>
/// <param name="Report">What the conversion did; null when reused.</param>
internal sealed record Fp16CachedModel(string Path, bool Reused, TimeSpan ConversionTime, Fp16ConversionReport? Report);
