using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Client;

/// <summary>Live model management (restoregrpc.v1.ModelAdminService; the admin role when the server has
/// authentication on). Each call answers the model's state after it: a file that does not load is reported as
/// <see cref="ModelState.Failed"/> with the reason in <see cref="ModelInfo.StateDetail"/>, not as an exception.</summary>
public sealed partial class RestoreClient
{
    /// <summary>Loads a catalog entry that is not loaded (missing, failed or unloaded).</summary>
    public async Task<ModelInfo> LoadModelAsync(string name, CancellationToken cancellationToken = default) =>
        (await _admin.LoadModelAsync(new LoadModelRequest { Name = name }, deadline: AdminDeadline(), cancellationToken: cancellationToken).ConfigureAwait(false)).Model;

    /// <summary>Adds a catalog entry from a file already in the server's model folder, and loads it.</summary>
    public async Task<ModelInfo> LoadModelAsync(NewModel model, CancellationToken cancellationToken = default) =>
        (await _admin.LoadModelAsync(new LoadModelRequest { NewModel = model }, deadline: AdminDeadline(), cancellationToken: cancellationToken).ConfigureAwait(false)).Model;

    /// <summary>Unloads a model: new requests naming it are refused; running ones finish.</summary>
    public async Task<ModelInfo> UnloadModelAsync(string name, CancellationToken cancellationToken = default) =>
        (await _admin.UnloadModelAsync(new UnloadModelRequest { Name = name }, deadline: AdminDeadline(), cancellationToken: cancellationToken).ConfigureAwait(false)).Model;

    /// <summary>Reloads a model from its file and swaps it in without failing running or new requests.</summary>
    public async Task<ModelInfo> ReloadModelAsync(string name, CancellationToken cancellationToken = default) =>
        (await _admin.ReloadModelAsync(new ReloadModelRequest { Name = name }, deadline: AdminDeadline(), cancellationToken: cancellationToken).ConfigureAwait(false)).Model;

    /// <summary>Makes a ready super-resolution model the default; returns the default after the call.</summary>
    public async Task<string> SetDefaultModelAsync(string name, CancellationToken cancellationToken = default) =>
        (await _admin.SetDefaultModelAsync(new SetDefaultModelRequest { Name = name }, deadline: AdminDeadline(), cancellationToken: cancellationToken).ConfigureAwait(false)).DefaultModel;

    private DateTime? AdminDeadline() => _defaultTimeout is { } t ? DateTime.UtcNow + t : null;
}
