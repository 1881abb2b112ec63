using System.Text.Json;
using Microsoft.Extensions.Logging;
using RestoreGrpc.Core.Errors;

namespace RestoreGrpc.Core.Models;

/// <summary>
/// Live model management: load, unload, reload (hot swap), switch the default, add entries at run time, and apply a
/// changed configuration. A new session is built and warmed up before it takes traffic, then swapped in atomically;
/// requests already running keep their lease on the previous session, which goes when the last of them finishes.
/// </summary>
public sealed partial class ModelCatalog
{
    private readonly SemaphoreSlim _reconfiguring = new(1, 1);

    /// <summary>Loads an entry that no session serves (pending, missing, failed or unloaded); a model that is
    /// ready is left as it is.</summary>
    /// <returns>The entry's state after the load: READY, or FAILED (MISSING) with the reason.</returns>
    /// <exception cref="ModelNotFoundException">No such entry.</exception>
    public async Task<ModelStatus> LoadAsync(string name, CancellationToken cancellationToken)
    {
        CatalogEntry entry = Entry(name);
        if (entry.Builtin)
        {
            return StatusOf(entry);
        }

        await ChangeAsync(entry, () => entry.State == ModelState.Ready && entry.Current is not null, cancellationToken).ConfigureAwait(false);
        return StatusOf(entry);
    }

    /// <summary>Loads the entry's file again and swaps the new session in; a file that does not load leaves the
    /// previous session serving (FAILED, with the reason and which session serves). An unloaded model is loaded.</summary>
    /// <exception cref="ModelNotFoundException">No such entry.</exception>
    /// <exception cref="ModelUnavailableException">The built-in resampler (nothing to reload).</exception>
    public async Task<ModelStatus> ReloadAsync(string name, CancellationToken cancellationToken)
    {
        CatalogEntry entry = Entry(name);
        if (entry.Builtin)
        {
            throw new ModelUnavailableException(entry.Descriptor.Name, "the built-in resampler has no file to reload");
        }

        await ChangeAsync(entry, () => false, cancellationToken).ConfigureAwait(false);
        return StatusOf(entry);
    }

    /// <summary>Unloads a model: new requests naming it are refused (UNLOADED) until it is loaded again; requests
    /// running on it finish, and its session goes when the last of them is done.</summary>
    /// <exception cref="ModelNotFoundException">No such entry.</exception>
    /// <exception cref="ModelUnavailableException">The default model, or the built-in resampler.</exception>
    public async Task<ModelStatus> UnloadAsync(string name, CancellationToken cancellationToken)
    {
        CatalogEntry entry = Entry(name);
        if (entry.Builtin)
        {
            throw new ModelUnavailableException(entry.Descriptor.Name, "the built-in resampler cannot be unloaded");
        }

        if (string.Equals(entry.Descriptor.Name, DefaultModelName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelUnavailableException(entry.Descriptor.Name, "it is the default model and cannot be unloaded; make another model the default first (SetDefaultModel)");
        }

        await entry.Changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Unload(entry, "unloaded by an administrator; LoadModel brings it back");
        }
        finally
        {
            entry.Changes.Release();
        }

        return StatusOf(entry);
    }

    /// <summary>Makes a ready super-resolution model the one used when a request names none.</summary>
    /// <exception cref="ModelNotFoundException">No such entry.</exception>
    /// <exception cref="InvalidRequestException">Not a super-resolution model.</exception>
    /// <exception cref="ModelUnavailableException">No session serves it.</exception>
    public string SetDefaultModel(string name)
    {
        CatalogEntry entry = Entry(name);
        if (entry.Descriptor.Task != ModelTaskKind.SuperResolution)
        {
            throw new InvalidRequestException(RequestField.ModelName, $"model '{entry.Descriptor.Name}' is a {entry.Descriptor.Task} model; the default must be a SuperResolution model");
        }

        if (!StatusOf(entry).Serving)
        {
            throw new ModelUnavailableException(entry.Descriptor.Name, $"it is {entry.State} ({entry.Detail}); load it before making it the default");
        }

        _defaultModelName = entry.Descriptor.Name;
        LogDefaultChanged(_logger, entry.Descriptor.Name);
        return entry.Descriptor.Name;
    }

    /// <summary>
    /// Adds a catalog entry at run time from a file already in the model folder: the file name has no directories,
    /// the SHA-256 is required and checked, and the model is loaded and warmed up before it is added. A file that
    /// does not load is not added; the returned status says FAILED and why.
    /// </summary>
    /// <exception cref="InvalidRequestException">A bad descriptor (the field named).</exception>
    /// <exception cref="ModelAlreadyExistsException">The name is taken.</exception>
    public async Task<ModelStatus> AddAsync(ModelDescriptor descriptor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        string path = ValidateNewModel(descriptor);
        if (_entries.ContainsKey(descriptor.Name))
        {
            throw new ModelAlreadyExistsException(descriptor.Name);
        }

        ModelSession session;
        try
        {
            session = await BuildSessionAsync(null, descriptor, path, keepState: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLoadFailed(_logger, e, descriptor.Name, e.Message);
            return new ModelStatus(descriptor, ModelState.Failed, $"{e.Message}; the model was not added", string.Empty, false, false, EffectiveTileSize(descriptor));
        }

        var entry = new CatalogEntry(descriptor, path, null, configured: false);
        entry.Swap(session);
        entry.ExecutionProvider = session.Model.ExecutionProvider;
        entry.Precision = session.Precision;
        entry.Detail = session.Detail;
        entry.State = ModelState.Ready;
        entry.Loading = Task.CompletedTask;
        if (!Insert(entry))
        {
            session.Retire();
            throw new ModelAlreadyExistsException(descriptor.Name);
        }

        LogAdded(_logger, descriptor.Name, descriptor.File);
        return StatusOf(entry);
    }

    /// <summary>
    /// Applies a changed configuration (the options monitor's new value): entries added are loaded, entries removed
    /// leave the catalog (unloaded; running requests finish), entries whose settings changed are reloaded (hot swap;
    /// a failure leaves the previous session serving), and a changed <see cref="ModelCatalogOptions.DefaultModel"/>
    /// is applied once it can serve. Entries added at run time are kept. Other catalog settings take effect at the
    /// next start.
    /// </summary>
    /// <returns>What changed, by entry name.</returns>
    public async Task<CatalogChanges> ApplyConfigurationAsync(ModelCatalogOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await _reconfiguring.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = new Dictionary<string, ModelDescriptor>(StringComparer.OrdinalIgnoreCase);
            foreach (ModelDescriptor descriptor in options.Entries)
            {
                Validate(descriptor);
                wanted[descriptor.Name] = descriptor;
            }

            var removed = _ordered.Where(e => e.Configured && !e.Builtin && !wanted.ContainsKey(e.Descriptor.Name)).ToList();
            var added = new List<CatalogEntry>();
            var changed = new List<CatalogEntry>();
            foreach (ModelDescriptor descriptor in wanted.Values)
            {
                string path = Path.GetFullPath(descriptor.File, Directory);
                if (!_entries.TryGetValue(descriptor.Name, out CatalogEntry? existing))
                {
                    var entry = new CatalogEntry(descriptor, path, null);
                    MarkPendingOrMissing(entry);
                    if (Insert(entry))
                    {
                        added.Add(entry);
                    }
                }
                else if (!existing.Builtin && !SameSettings(existing.Descriptor, descriptor))
                {
                    existing.Reconfigure(descriptor, path);
                    changed.Add(existing);
                }
            }

            foreach (CatalogEntry entry in removed)
            {
                if (string.Equals(entry.Descriptor.Name, DefaultModelName, StringComparison.OrdinalIgnoreCase))
                {
                    LogDefaultRemoved(_logger, entry.Descriptor.Name);
                    continue;
                }

                await RemoveAsync(entry, cancellationToken).ConfigureAwait(false);
            }

            Task[] loads =
            [
                .. added.Where(e => e.State != ModelState.Missing).Select(e => Quietly(StartFirstLoad(e, CancellationToken.None))),
                .. changed.Select(e => Quietly(ChangeAsync(e, () => false, cancellationToken))),
            ];
            await Task.WhenAll(loads).ConfigureAwait(false);

            if (!string.IsNullOrWhiteSpace(options.DefaultModel)
                && !string.Equals(options.DefaultModel, DefaultModelName, StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    SetDefaultModel(options.DefaultModel);
                }
                catch (RestoreException e)
                {
                    LogDefaultNotApplied(_logger, options.DefaultModel, e.Message);
                }
            }

            var changes = new CatalogChanges(
                [.. added.Select(e => e.Descriptor.Name)],
                [.. removed.Where(e => !_entries.ContainsKey(e.Descriptor.Name)).Select(e => e.Descriptor.Name)],
                [.. changed.Select(e => e.Descriptor.Name)]);
            LogReconfigured(_logger, changes.Added.Count, changes.Removed.Count, changes.Reloaded.Count);
            return changes;
        }
        finally
        {
            _reconfiguring.Release();
        }
    }

    /// <summary>Holders of an entry's current session, the catalog included; 0 when none (tests).</summary>
    internal int SessionHolders(string name) => Entry(name).Current?.Holders ?? 0;

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The entry records the failure.
        }
    }

    private static bool SameSettings(ModelDescriptor a, ModelDescriptor b) =>
        JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);

    private CatalogEntry Entry(string name)
    {
        string trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            throw new InvalidRequestException(RequestField.ModelName, "is required: the name of a catalog entry");
        }

        return _entries.TryGetValue(trimmed, out CatalogEntry? entry) ? entry : throw new ModelNotFoundException(trimmed, _entries.Keys);
    }

    /// <summary>Builds and swaps in a new session under the entry's lock, unless <paramref name="done"/> says there
    /// is nothing to do. The failure is recorded in the entry, not thrown.</summary>
    private async Task ChangeAsync(CatalogEntry entry, Func<bool> done, CancellationToken cancellationToken)
    {
        await entry.Changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (done())
            {
                return;
            }

            if (!File.Exists(entry.Path) && !CanDownload(entry) && entry.Current is null)
            {
                entry.State = ModelState.Missing;
                entry.Detail = MissingDetail(entry.Descriptor);
                return;
            }

            await InstallAsync(entry, cancellationToken).ConfigureAwait(false);
            entry.Loading ??= Task.CompletedTask;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // InstallAsync recorded it: FAILED with the reason.
        }
        finally
        {
            entry.Changes.Release();
        }
    }

    private static void Unload(CatalogEntry entry, string detail)
    {
        entry.State = ModelState.Unloaded;
        entry.Detail = detail;
        entry.Swap(null)?.Retire();
    }

    private async Task RemoveAsync(CatalogEntry entry, CancellationToken cancellationToken)
    {
        await entry.Changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_lock)
            {
                _entries.TryRemove(entry.Descriptor.Name, out _);
                _ordered = [.. _ordered.Where(e => e != entry)];
            }

            Unload(entry, "removed from the configuration");
        }
        finally
        {
            entry.Changes.Release();
        }
    }

    private bool Insert(CatalogEntry entry)
    {
        lock (_lock)
        {
            if (!_entries.TryAdd(entry.Descriptor.Name, entry))
            {
                return false;
            }

            _ordered = [.. _ordered, entry];
            return true;
        }
    }

    /// <summary>Checks a model added at run time and resolves its file inside the model folder.</summary>
    private string ValidateNewModel(ModelDescriptor descriptor)
    {
        if (string.IsNullOrWhiteSpace(descriptor.Name) || descriptor.Name.Trim() != descriptor.Name || descriptor.Name.Length > 128)
        {
            throw new InvalidRequestException(RequestField.NewModelName, "is required: 1..128 characters, no leading or trailing spaces");
        }

        string file = descriptor.File;
        if (string.IsNullOrWhiteSpace(file)
            || file is "." or ".."
            || Path.GetFileName(file) != file
            || file.Contains('/', StringComparison.Ordinal)
            || file.Contains('\\', StringComparison.Ordinal)
            || file.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new InvalidRequestException(RequestField.NewModelFile, $"must be a file name in the model folder, without directories (got '{file}')");
        }

        string path = Path.GetFullPath(file, Directory);
        if (!string.Equals(Path.GetDirectoryName(path), Directory.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            throw new InvalidRequestException(RequestField.NewModelFile, $"must be inside the model folder (got '{file}')");
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new InvalidRequestException(RequestField.NewModelFile, $"there is no file {file} in the model folder; copy it there first");
        }

        if (info.ResolveLinkTarget(returnFinalTarget: true) is { } target
            && !string.Equals(Path.GetDirectoryName(Path.GetFullPath(target.FullName)), Directory.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            throw new InvalidRequestException(RequestField.NewModelFile, $"{file} links outside the model folder");
        }

        string sha = descriptor.Sha256?.Trim() ?? string.Empty;
        if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit))
        {
            throw new InvalidRequestException(RequestField.NewModelSha256, "is required: the file's SHA-256 as 64 hex digits");
        }

        if (descriptor.Scale is < 1 or > 16)
        {
            throw new InvalidRequestException(RequestField.NewModelScale, $"must be 1..16 (got {descriptor.Scale})");
        }

        if (descriptor.TileSize is < 0 or > 4096)
        {
            throw new InvalidRequestException(RequestField.NewModelTileSize, $"must be 0..4096 (got {descriptor.TileSize})");
        }

        if (descriptor.TileMargin is < 0 or > 256)
        {
            throw new InvalidRequestException(RequestField.NewModelTileMargin, $"must be 0..256 (got {descriptor.TileMargin})");
        }

        if (descriptor.Task == ModelTaskKind.FaceRestoration && descriptor.FixedSize is < 16 or > 4096)
        {
            throw new InvalidRequestException(RequestField.NewModelFixedSize, $"a face restorer needs its square crop size, 16..4096 (got {descriptor.FixedSize})");
        }

        if (descriptor.Task == ModelTaskKind.FaceDetection
            && descriptor.Architecture?.ToUpperInvariant() is not ("YUNET" or "RETINAFACE"))
        {
            throw new InvalidRequestException(RequestField.NewModelArchitecture, $"a face detector must be YuNet or RetinaFace (got '{descriptor.Architecture}')");
        }

        return path;
    }

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "Default model is now {Model}")]
    private static partial void LogDefaultChanged(ILogger logger, string model);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "Model {Model} added from {File}")]
    private static partial void LogAdded(ILogger logger, string model, string file);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "Model catalog configuration changed: {Added} added, {Removed} removed, {Reloaded} reloaded")]
    private static partial void LogReconfigured(ILogger logger, int added, int removed, int reloaded);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Warning, Message = "Model {Model} was removed from the configuration but is the default model; it keeps serving until another model is the default")]
    private static partial void LogDefaultRemoved(ILogger logger, string model);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "Configured default model {Model} not applied: {Reason}")]
    private static partial void LogDefaultNotApplied(ILogger logger, string model, string reason);
}
