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
    Failed,
}
