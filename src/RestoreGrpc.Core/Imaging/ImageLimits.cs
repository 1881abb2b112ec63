using System.ComponentModel.DataAnnotations;

namespace RestoreGrpc.Core.Imaging;

/// <summary>Bounds that protect the server from images it must not try to hold in memory.</summary>
public sealed class ImageLimits
{
    /// <summary>Largest accepted input, in pixels (width × height).</summary>
    [Range(1, long.MaxValue)]
    public long MaxInputPixels { get; set; } = 16L * 1024 * 1024;

    /// <summary>Largest output produced by one unary request, in pixels.</summary>
    [Range(1, long.MaxValue)]
    public long MaxOutputPixels { get; set; } = 128L * 1024 * 1024;

    /// <summary>Largest accepted width or height.</summary>
    [Range(1, int.MaxValue)]
    public int MaxDimension { get; set; } = 32768;
}
