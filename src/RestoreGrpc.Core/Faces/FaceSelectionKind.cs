namespace RestoreGrpc.Core.Faces;

/// <summary>Which detected faces a request restores.</summary>
public enum FaceSelectionKind
{
    All,
    Largest,

    /// <summary>The face whose box centre is nearest the image centre.</summary>
    Center,
}
