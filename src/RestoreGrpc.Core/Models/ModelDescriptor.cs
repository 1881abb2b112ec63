using System.ComponentModel.DataAnnotations;
using RestoreGrpc.Core.Models.Precision;

namespace RestoreGrpc.Core.Models;

/// <summary>One catalog entry as configured: where the model is and what its tensors mean.</summary>
public sealed class ModelDescriptor
{
    /// <summary>The name requests use.</summary>
    [Required]
    public string Name { get; set; } = string.Empty;

    /// <summary>ONNX file, absolute or relative to the catalog directory.</summary>
    public string File { get; set; } = string.Empty;

    public ModelTaskKind Task { get; set; } = ModelTaskKind.SuperResolution;

    /// <summary>Network family, e.g. SRVGGNetCompact, RRDBNet, YuNet, RetinaFace, GPEN. Detectors are decoded by it.</summary>
    public string? Architecture { get; set; }

    /// <summary>Native upscaling factor (1 for restorers and detectors).</summary>
    [Range(1, 16)]
    public int Scale { get; set; } = 1;

    public InputRange InputRange { get; set; } = InputRange.ZeroToOne;

    public ColorOrder ColorOrder { get; set; } = ColorOrder.Rgb;

    /// <summary>Per-channel mean subtracted after range scaling, in the model's channel order.</summary>
    public float[]? Mean { get; set; }

    /// <summary>Fixed square input size (face restorers); 0 for any size.</summary>
    [Range(0, 4096)]
    public int FixedSize { get; set; }

    /// <summary>Input sides must be multiples of this (detectors); 0 or 1 for any.</summary>
    [Range(0, 1024)]
    public int SizeMultiple { get; set; }

    /// <summary>Default core tile edge in input pixels; 0 uses the catalog default.</summary>
    [Range(0, 4096)]
    public int TileSize { get; set; }

    /// <summary>
    /// Default context margin in input pixels. Set it to the network's receptive radius (34 for
    /// realesr-general-x4v3, 18 for the 16-conv compact models) and tiled output equals whole-image inference.
    /// </summary>
    [Range(0, 256)]
    public int TileMargin { get; set; } = 34;

    /// <summary>Items (tiles, crops) per model run; 0 uses the batcher's default (Triton's max_batch_size).</summary>
    [Range(0, 1024)]
    public int MaxBatch { get; set; }

    /// <summary>Sessions of this model that run at once; 0 uses the catalog's <c>InstancesPerModel</c>.</summary>
    [Range(0, 64)]
    public int Instances { get; set; }

    /// <summary>How long a batch may wait to fill, in milliseconds; null uses the batcher's default.</summary>
    [Range(0, 10_000)]
    public double? MaxQueueDelayMs { get; set; }

    /// <summary>Precision the graph runs in (<c>Fp32</c>, <c>Fp16</c>, <c>Auto</c>); null uses the catalog's
    /// <see cref="ModelCatalogOptions.Precision"/>.</summary>
    public ModelPrecision? Precision { get; set; }

    /// <summary>Where to download the file when it is missing; null or empty for never.</summary>
    public string? Url { get; set; }

    /// <summary>Expected SHA-256 of the file (hex). Checked after a download, and at load when set.</summary>
    public string? Sha256 { get; set; }

    public string Description { get; set; } = string.Empty;
}
