namespace RestoreGrpc.Core.Models;

/// <summary>
/// A request's hold on the session of a model it runs on. While the lease is held, the session stays loaded even if
/// an administrator reloads or unloads the model meanwhile: the request finishes on the session it started on.
/// Dispose it when the request is done with the model.
/// </summary>
public sealed class ModelLease : IDisposable
{
    private ModelSession? _session;

    internal ModelLease(ModelSession session)
    {
        _session = session;
        Model = session.Model;
    }

    public IUpscaleModel Model { get; }

    public void Dispose() => Interlocked.Exchange(ref _session, null)?.Release();
}
