namespace RestoreGrpc.Core.Restoration;

/// <summary>One progress event of a restoration: its stage and how many super-resolution tiles and faces are done.</summary>
/// <param name="Stage">The stage the request is in.</param>
/// <param name="DoneTiles">Tiles finished, of <paramref name="Tiles"/> (0 of 0 before the plan is known or without
/// super-resolution).</param>
/// <param name="Tiles">Tiles of the plan.</param>
/// <param name="DoneFaces">Faces restored, of <paramref name="Faces"/>.</param>
/// <param name="Faces">Faces selected for restoration.</param>
public readonly record struct RestoreProgressReport(RestoreStageKind Stage, int DoneTiles, int Tiles, int DoneFaces, int Faces);
