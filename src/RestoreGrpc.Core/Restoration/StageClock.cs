using System.Diagnostics;

namespace RestoreGrpc.Core.Restoration;

/// <summary>Accumulates time per stage across the tiles of one request (tiles may finish concurrently).</summary>
internal sealed class StageClock
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _decode;
    private long _queueWait;
    private long _inference;
    private long _tiling;
    private long _postprocess;
    private long _encode;
    private long _faceDetection;
    private long _faceRestoration;

    public static long Now => Stopwatch.GetTimestamp();

    public void AddDecode(long since) => Interlocked.Add(ref _decode, Now - since);

    public void AddTiling(long since) => Interlocked.Add(ref _tiling, Now - since);

    public void AddPostprocess(long since) => Interlocked.Add(ref _postprocess, Now - since);

    public void AddEncode(long since) => Interlocked.Add(ref _encode, Now - since);

    public void AddFaceDetection(long since) => Interlocked.Add(ref _faceDetection, Now - since);

    public void AddFaceRestoration(long since) => Interlocked.Add(ref _faceRestoration, Now - since);

    public void AddQueueWait(TimeSpan elapsed) => Interlocked.Add(ref _queueWait, Ticks(elapsed));

    public void AddInference(TimeSpan elapsed) => Interlocked.Add(ref _inference, Ticks(elapsed));

    public StageTimings Snapshot() => new(
        Stopwatch.GetElapsedTime(0, _decode),
        Stopwatch.GetElapsedTime(0, _queueWait),
        Stopwatch.GetElapsedTime(0, _inference),
        Stopwatch.GetElapsedTime(0, _tiling),
        Stopwatch.GetElapsedTime(0, _postprocess),
        Stopwatch.GetElapsedTime(0, _encode),
        Stopwatch.GetElapsedTime(_started),
        Stopwatch.GetElapsedTime(0, _faceDetection),
        Stopwatch.GetElapsedTime(0, _faceRestoration));

    private static long Ticks(TimeSpan elapsed) => (long)(elapsed.TotalSeconds * Stopwatch.Frequency);
}
