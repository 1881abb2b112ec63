namespace RestoreGrpc.Core.Restoration;

/// <summary>What a request restores.</summary>
public enum RestoreTaskKind
{
    /// <summary>The whole image through the super-resolution model.</summary>
    SuperResolution,

    /// <summary>Faces restored over a resampled (not super-resolved) background.</summary>
    Faces,

    /// <summary>Background super-resolved, faces restored over it.</summary>
    FacesAndBackground,

    /// <summary><see cref="FacesAndBackground"/> when faces are found, else <see cref="SuperResolution"/>.</summary>
    Auto,
}
