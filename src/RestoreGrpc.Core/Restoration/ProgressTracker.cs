namespace RestoreGrpc.Core.Restoration;

/// <summary>
/// Counts one request's stages, tiles and faces and reports every change to the caller's sink, in order (tiles finish
/// concurrently: changes are serialised, so counts never go backwards). Without a sink it does nothing.
/// </summary>
internal sealed class ProgressTracker(IProgress<RestoreProgressReport>? sink)
{
    private readonly Lock _lock = new();
    private RestoreProgressReport _current;

    public static ProgressTracker None { get; } = new(null);

    public void Enter(RestoreStageKind stage) => Update(static (r, stage) => r with { Stage = stage }, stage);

    /// <summary>The upscaling stage with its plan's tile count.</summary>
    public void StartTiles(int count) => Update(static (r, count) => r with { Stage = RestoreStageKind.Upscaling, DoneTiles = 0, Tiles = count }, count);

    public void TileDone() => Update(static (r, _) => r with { DoneTiles = r.DoneTiles + 1 }, 0);

    /// <summary>The face-restoration stage with the number of faces to restore.</summary>
    public void StartFaces(int count) => Update(static (r, count) => r with { Stage = RestoreStageKind.RestoringFaces, DoneFaces = 0, Faces = count }, count);

    public void FaceDone() => Update(static (r, _) => r with { DoneFaces = r.DoneFaces + 1 }, 0);

    private void Update<T>(Func<RestoreProgressReport, T, RestoreProgressReport> change, T argument)
    {
        if (sink is null)
        {
            return;
        }

        lock (_lock)
        {
            _current = change(_current, argument);
            sink.Report(_current);
        }
    }
}
