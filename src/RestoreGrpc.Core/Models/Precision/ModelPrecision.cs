namespace RestoreGrpc.Core.Models.Precision;

/// <summary>The floating-point precision a model's graph runs in. Inputs and outputs stay float32 either way.</summary>
public enum ModelPrecision
{
    /// <summary>Float16 on CUDA, float32 on CPU (where float16 only adds casts). Detectors stay float32.</summary>
    Auto,

    /// <summary>The model file as it is.</summary>
    Fp32,

    /// <summary>A float16 copy of the graph (converted once, cached beside the file), with float32 inputs and outputs.</summary>
    Fp16,
}
