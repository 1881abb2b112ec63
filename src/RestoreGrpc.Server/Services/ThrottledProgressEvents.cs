using System.Diagnostics;
using System.Threading.Channels;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Server.Mapping;

namespace RestoreGrpc.Server.Services;

/// <summary>
/// The progress events of one RestoreWithProgress call, thinned for the wire: every stage change and every stage's
/// last tile or face is kept; in between, at most one event per <see cref="MinInterval"/> (≤ 10 a second), so a
/// thousand-tile image does not send a thousand messages. Events queue in order for one writer
/// (<see cref="Events"/>); the core reports from the threads that finish tiles, which never wait on the network.
/// </summary>
internal sealed class ThrottledProgressEvents : IProgress<RestoreProgressReport>
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    private readonly Channel<RestoreProgress> _events = Channel.CreateUnbounded<RestoreProgress>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private readonly long _started;
    private RestoreStageKind? _lastStage;
    private long _lastSent;

    /// <param name="started">When the call was received (a <see cref="Stopwatch"/> timestamp): events carry the time since.</param>
    public ThrottledProgressEvents(long started) => _started = started;

    public ChannelReader<RestoreProgress> Events => _events.Reader;

    public void Report(RestoreProgressReport value)
    {
        lock (_lock)
        {
            long now = Stopwatch.GetTimestamp();
            bool stageChanged = value.Stage != _lastStage;
            bool stageFinished = (value.Stage == RestoreStageKind.Upscaling && value.DoneTiles == value.Tiles)
                || (value.Stage == RestoreStageKind.RestoringFaces && value.DoneFaces == value.Faces);
            if (!stageChanged && !stageFinished && Stopwatch.GetElapsedTime(_lastSent, now) < MinInterval)
            {
                return;
            }

            _lastStage = value.Stage;
            _lastSent = now;
            _events.Writer.TryWrite(ProgressMapping.ToProto(value, Stopwatch.GetElapsedTime(_started, now)));
        }
    }

    /// <summary>No more events: the reader ends after the queued ones.</summary>
    public void Complete() => _events.Writer.TryComplete();
}
