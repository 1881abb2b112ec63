namespace RestoreGrpc.Core.Streaming;

/// <summary>A job's progress after a tile was sent.</summary>
/// <param name="TilesDone">Tiles the client holds or has been sent.</param>
/// <param name="TilesInFlight">Tiles received on this stream and not yet sent back.</param>
/// <param name="CreditGranted">New tiles the client may send (0 once every pending tile has been granted).</param>
public readonly record struct StreamProgressInfo(int TilesDone, int TilesTotal, int TilesInFlight, int CreditGranted, bool Done);
