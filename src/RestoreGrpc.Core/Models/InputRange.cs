namespace RestoreGrpc.Core.Models;

/// <summary>The numeric range a model expects its input samples in.</summary>
public enum InputRange
{
    /// <summary>Samples / 255.</summary>
    ZeroToOne,

    /// <summary>(Samples / 255 − 0.5) / 0.5.</summary>
    MinusOneToOne,

    /// <summary>Raw 8-bit sample values.</summary>
    ZeroTo255,
}
