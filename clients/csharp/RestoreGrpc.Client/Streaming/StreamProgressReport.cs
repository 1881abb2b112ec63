namespace RestoreGrpc.Client.Streaming;

/// <summary>Progress of <see cref="RestoreClient.RestoreLargeAsync"/>, reported after each output tile.</summary>
/// <param name="TilesDone">Output tiles held, of <paramref name="TilesTotal"/>.</param>
/// <param name="Reconnects">Times the stream was resumed after a lost connection.</param>
public sealed record StreamProgressReport(int TilesDone, int TilesTotal, int Reconnects);
