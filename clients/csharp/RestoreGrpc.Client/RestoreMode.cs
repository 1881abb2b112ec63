namespace RestoreGrpc.Client;

/// <summary>What a request restores.</summary>
public enum RestoreMode
{
    /// <summary>The whole image through the super-resolution model.</summary>
    SuperResolution,

    /// <summary>Faces restored over a resampled background (default scale 1).</summary>
    Faces,

    /// <summary>Background super-resolved, faces restored over it.</summary>
    FacesAndBackground,

    /// <summary>Faces and background when faces are found, else super-resolution.</summary>
    Auto,
}
