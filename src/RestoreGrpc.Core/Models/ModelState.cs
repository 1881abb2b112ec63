namespace RestoreGrpc.Core.Models;

/// <summary>Where a catalog entry is in its life cycle.</summary>
public enum ModelState
{
    /// <summary>Not started yet (loads on first use or at start-up).</summary>
    Pending,
    Missing,
    Downloading,
    Loading,
    Ready,

    /// <summary>Download, checksum or load failed. When a reload failed, the previous session may still serve
    /// (<see cref="ModelStatus.Serving"/>).</summary>
    Failed,

    /// <summary>Unloaded by an administrator: requests naming it are refused until it is loaded again.</summary>
    Unloaded,
}
