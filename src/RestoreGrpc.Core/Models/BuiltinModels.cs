namespace RestoreGrpc.Core.Models;

/// <summary>Models that need no file.</summary>
internal static class BuiltinModels
{
    /// <summary>Catalog name of the built-in Lanczos-3 ×4 resampler.</summary>
    public const string ResamplerName = "builtin-lanczos-x4";

    public const string ExecutionProvider = ExecutionProviderNames.Builtin;

    public static ModelDescriptor ResamplerDescriptor() => new()
    {
        Name = ResamplerName,
        Task = ModelTaskKind.SuperResolution,
        Scale = 4,
        TileMargin = 8,
        Description = "Built-in Lanczos-3 resampling (no model file needed). Interpolates; it does not restore detail.",
    };
}
