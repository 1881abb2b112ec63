namespace RestoreGrpc.Tiling;

/// <summary>
/// One tile's extent along one axis: the window it reads (<see cref="WindowStart"/>, length = the plan's window
/// length, possibly running past the image end where the plan pads) and the core it owns in the output.
/// </summary>
public readonly record struct AxisSegment(int WindowStart, int CoreStart, int CoreLength)
{
    public int CoreEnd => CoreStart + CoreLength;

    /// <summary>Offset of the core inside the window.</summary>
    public int CoreOffset => CoreStart - WindowStart;
}
