namespace RestoreGrpc.Core.Models;

/// <summary>Channel order of a model's input tensor.</summary>
public enum ColorOrder
{
    Rgb,
    Bgr,
}
