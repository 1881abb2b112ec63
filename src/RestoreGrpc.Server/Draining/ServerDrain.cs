using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace RestoreGrpc.Server.Draining;

/// <summary>
/// Where the server is in its shutdown drain: serving, draining (health NOT_SERVING, new calls refused with
/// UNAVAILABLE, running calls may finish) or past its grace period (open streams end with a resumable UNAVAILABLE).
/// Counts the RestoreGrpc calls in flight so the drain knows when nothing is left.
/// </summary>
public sealed class ServerDrain : IDisposable
{
    /// <summary>ErrorInfo reason of a stream ended by a draining server (its metadata holds <see cref="JobIdKey"/>).</summary>
    public const string DrainingReason = "SERVER_DRAINING";

    /// <summary>ErrorInfo domain of RestoreGrpc's own error reasons.</summary>
    public const string ErrorDomain = "restoregrpc.v1";

    /// <summary>ErrorInfo metadata key of the stream job to resume elsewhere.</summary>
    public const string JobIdKey = "job_id";

    private readonly CancellationTokenSource _graceExpired = new();
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private volatile bool _draining;

    /// <summary>Whether the drain has begun: health reports NOT_SERVING and new calls are refused.</summary>
    public bool IsDraining => _draining;

    /// <summary>Cancelled when the grace period is over: streams still open end (resumably) instead of finishing.</summary>
    public CancellationToken GraceExpired => _graceExpired.Token;

    /// <summary>RestoreGrpc calls running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Counts a call that started; false (and not counted) when the drain has begun.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (_draining)
        {
            Exit();
            return false;
        }

        return true;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _draining)
        {
            _idle.TrySetResult();
        }
    }

    /// <summary>Starts the drain; returns when no call is left or <paramref name="grace"/> has passed, then ends the
    /// grace period, and waits <paramref name="afterGrace"/> at most for the streams to send their endings.</summary>
    public async Task DrainAsync(TimeSpan grace, TimeSpan afterGrace, CancellationToken cancellationToken)
    {
        _draining = true;
        if (InFlight == 0)
        {
            _idle.TrySetResult();
        }

        await WaitIdleAsync(grace, cancellationToken).ConfigureAwait(false);
        await _graceExpired.CancelAsync().ConfigureAwait(false);
        await WaitIdleAsync(afterGrace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The status a stream gets when the grace period ends before it does: UNAVAILABLE (so clients retry) with
    /// an ErrorInfo naming the job, and a RetryInfo of zero (resume at once, on another instance).</summary>
    public static RpcException ResumeElsewhere(string jobId) => new Google.Rpc.Status
    {
        Code = (int)Code.Unavailable,
        Message = "the server is shutting down and its drain period ended before this stream; resume the job (its job_id, with the original header and the held tiles) on another instance",
        Details =
        {
            Any.Pack(new ErrorInfo { Reason = DrainingReason, Domain = ErrorDomain, Metadata = { [JobIdKey] = jobId } }),
            Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.Zero) }),
        },
    }.ToRpcException();

    /// <summary>The status a call gets when it arrives during the drain: UNAVAILABLE, nothing done, safe to retry.</summary>
    public static RpcException Refused() => new Google.Rpc.Status
    {
        Code = (int)Code.Unavailable,
        Message = "the server is shutting down (draining); retry on another instance",
        Details =
        {
            Any.Pack(new ErrorInfo { Reason = DrainingReason, Domain = ErrorDomain }),
            Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.Zero) }),
        },
    }.ToRpcException();

    public void Dispose() => _graceExpired.Dispose();

    private async Task WaitIdleAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            await _idle.Task.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }
}
