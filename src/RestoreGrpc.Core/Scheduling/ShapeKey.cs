using RestoreGrpc.Core.Models;

namespace RestoreGrpc.Core.Scheduling;

/// <summary>What items must share to ride in one batch: the model and the tensor's height and width.</summary>
internal sealed record ShapeKey(IUpscaleModel Model, int Height, int Width)
{
    /// <summary>Input samples of one item (3·height·width).</summary>
    public int InputLength => 3 * Height * Width;

    /// <summary>Output samples of one item (the input's, times the model's scale squared).</summary>
    public int OutputLength => InputLength * Model.Scale * Model.Scale;

    /// <summary>Input bytes of one item, as admission counts them.</summary>
    public long InputBytes => 3L * Height * Width * sizeof(float);
}
