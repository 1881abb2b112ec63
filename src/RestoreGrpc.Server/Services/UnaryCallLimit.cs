using Grpc.Core;

namespace RestoreGrpc.Server.Services;

/// <summary>The server's own cap on a unary call's duration (<see cref="Hosting.CallLimitsOptions.MaxUnaryCallSeconds"/>),
/// on top of the client's deadline: <see cref="Token"/> is cancelled by whichever comes first.</summary>
internal sealed class UnaryCallLimit : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _call;
    private readonly TimeSpan? _limit;

    public UnaryCallLimit(TimeSpan? limit, CancellationToken call)
    {
        _limit = limit;
        _call = call;
        _source = CancellationTokenSource.CreateLinkedTokenSource(call);
        if (limit is { } after)
        {
            _source.CancelAfter(after);
        }
    }

    public CancellationToken Token => _source.Token;

    /// <summary>Whether the server's cap (not the client) ended the call.</summary>
    public bool Expired => _source.IsCancellationRequested && !_call.IsCancellationRequested;

    public RpcException Exceeded() => new(new Status(
        StatusCode.DeadlineExceeded,
        $"the call ran past this server's limit of {_limit?.TotalSeconds:0.#} s per call (Restore:CallLimits:MaxUnaryCallSeconds); use a smaller image or RestoreStream"));

    public void Dispose() => _source.Dispose();
}
