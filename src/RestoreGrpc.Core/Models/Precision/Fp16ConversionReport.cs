namespace RestoreGrpc.Core.Models.Precision;

/// <summary>What a float16 conversion did.</summary>
/// <param name="ConvertedTensors">Initializers and Constant tensors now float16 (a copy counts where the float32 one stays too).</param>
/// <param name="KeptFloat32">Float32 initializers and Constant outputs that stay float32 (e.g. Resize scales), by name.</param>
/// <param name="CastsInserted">Cast nodes added at the float32/float16 boundaries.</param>
internal sealed record Fp16ConversionReport(int ConvertedTensors, IReadOnlyList<string> KeptFloat32, int CastsInserted);
