using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models.Precision;

namespace RestoreGrpc.Core.Models;

/// <summary>
/// The configured models and their life cycle: missing files are downloaded (SHA-256 checked) when an address is
/// configured, files are loaded into ONNX Runtime sessions and warmed up, failures are kept with their reason. A
/// request waits for its model to finish loading; listings never wait. Requests hold a <see cref="ModelLease"/> on
/// the session they run on, so models can be loaded, reloaded (hot swapped) and unloaded while requests run
/// (<c>ModelCatalog.Admin.cs</c>).
/// </summary>
public sealed partial class ModelCatalog : IDisposable
{
    private readonly ConcurrentDictionary<string, CatalogEntry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly ModelCatalogOptions _options;
    private readonly OnnxSessionFactory _sessions;
    private readonly Fp16ModelCache _fp16Cache;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private volatile CatalogEntry[] _ordered;
    private volatile string _defaultModelName;

    /// <param name="baseDirectory">Where a relative <see cref="ModelCatalogOptions.Directory"/> is resolved.</param>
    /// <param name="http">Client for model downloads.</param>
    public ModelCatalog(ModelCatalogOptions options, string baseDirectory, HttpClient http, ILogger<ModelCatalog> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _http = http;
        _logger = logger;
        _sessions = new OnnxSessionFactory(options, logger);
        _fp16Cache = new Fp16ModelCache(options.Fp16CacheDirectory);
        BaseDirectory = Path.GetFullPath(baseDirectory);
        Directory = Path.GetFullPath(options.Directory, BaseDirectory);

        var ordered = new List<CatalogEntry>();
        foreach (ModelDescriptor descriptor in options.Entries)
        {
            Validate(descriptor);
            var entry = new CatalogEntry(descriptor, Path.GetFullPath(descriptor.File, Directory), null);
            if (!_entries.TryAdd(descriptor.Name, entry))
            {
                throw new ArgumentException($"model '{descriptor.Name}' is configured twice", nameof(options));
            }

            ordered.Add(entry);
        }

        if (options.EnableBuiltinResampler)
        {
            ModelDescriptor resampler = BuiltinModels.ResamplerDescriptor();
            var entry = new CatalogEntry(resampler, null, new ResamplerModel(resampler));
            if (_entries.TryAdd(resampler.Name, entry))
            {
                ordered.Add(entry);
            }
        }

        foreach (CatalogEntry entry in ordered.Where(e => !e.Builtin))
        {
            MarkPendingOrMissing(entry);
        }

        _ordered = [.. ordered];
        _defaultModelName = ChooseDefault();
    }

    /// <summary>The resolved (absolute) model folder.</summary>
    public string Directory { get; }

    /// <summary>The folder as configured (<see cref="ModelCatalogOptions.Directory"/>), before resolving.</summary>
    public string ConfiguredDirectory => _options.Directory;

    /// <summary>Where a relative <see cref="ConfiguredDirectory"/> was resolved: the directory the host was started in.</summary>
    public string BaseDirectory { get; }

    /// <summary>The model used when a request names none (<see cref="SetDefaultModel"/> changes it).</summary>
    public string DefaultModelName => _defaultModelName;

    /// <summary>True when at least one real (file-backed) super-resolution model can be served.</summary>
    public bool HasRealModels => _ordered.Any(e => !e.Builtin && e.Descriptor.Task == ModelTaskKind.SuperResolution && e.State != ModelState.Missing);

    public IReadOnlyList<ModelStatus> List() => _ordered.Select(StatusOf).ToList();

    /// <summary>One entry's status, or null when the catalog has no such entry.</summary>
    public ModelStatus? Find(string name) => _entries.TryGetValue(name, out CatalogEntry? entry) ? StatusOf(entry) : null;

    /// <summary>Core tile edge for a model: its own, else the catalog default.</summary>
    public int EffectiveTileSize(ModelDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return descriptor.TileSize > 0 ? descriptor.TileSize : _options.DefaultTileSize;
    }

    /// <summary>Downloads, loads and warms up every model that has (or can get) a file. Never throws for a
    /// model's failure: the entry records it.</summary>
    public async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        // The default model first, alone: readiness (health) waits for it, and parallel warm-ups share the cores.
        CatalogEntry? first = _entries.GetValueOrDefault(DefaultModelName);
        if (first is not null && first.State != ModelState.Missing)
        {
            await StartFirstLoad(first, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        Task[] loads = _ordered
            .Where(e => e.State != ModelState.Missing && e != first)
            .Select(e => StartFirstLoad(e, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default))
            .ToArray();
        await Task.WhenAll(loads).ConfigureAwait(false);
    }

    /// <summary>A super-resolution model by name (null or empty: the default), loading it if needed.</summary>
    /// <exception cref="ModelNotFoundException">No such entry.</exception>
    /// <exception cref="ModelUnavailableException">Missing, unloaded, or failed to download or load.</exception>
    /// <exception cref="InvalidRequestException">The model does another task.</exception>
    public Task<ModelLease> AcquireUpscalerAsync(string? name, RequestField field, CancellationToken cancellationToken) =>
        AcquireAsync(name, ModelTaskKind.SuperResolution, field, cancellationToken);

    /// <summary>
    /// A lease on the loaded session of a model of a task, by name; null or empty picks the default super-resolution
    /// model, or the first usable entry of another task. Dispose the lease when the request is done with the model:
    /// a reload or unload meanwhile lets the request finish on this session.
    /// </summary>
    public async Task<ModelLease> AcquireAsync(string? name, ModelTaskKind task, RequestField field, CancellationToken cancellationToken)
    {
        string resolved = !string.IsNullOrWhiteSpace(name) ? name.Trim() : DefaultFor(task)
            ?? throw ModelUnavailableException.ForTask(TaskText(task), NoModelFor(task));
        if (!_entries.TryGetValue(resolved, out CatalogEntry? entry))
        {
            throw new ModelNotFoundException(resolved, _entries.Keys);
        }

        if (entry.Descriptor.Task != task)
        {
            throw new InvalidRequestException(field, $"model '{entry.Descriptor.Name}' is a {entry.Descriptor.Task} model; this needs a {task} model");
        }

        for (int attempt = 0; ; attempt++)
        {
            if (TryLease(entry) is { } lease)
            {
                return lease;
            }

            if (entry.State is ModelState.Missing or ModelState.Unloaded || attempt > 0)
            {
                throw new ModelUnavailableException(entry.Descriptor.Name, entry.Detail);
            }

            try
            {
                // The load outlives a cancelled request: the next request finds it done.
                await StartFirstLoad(entry, CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new ModelUnavailableException(entry.Descriptor.Name, entry.Detail, e);
            }
        }
    }

    /// <summary>
    /// Why no model of <paramref name="task"/> can run, in the user's terms: the catalog entries of that task whose
    /// files are missing, and how to provide one; or that the catalog has no entry of it.
    /// </summary>
    public string NoModelFor(ModelTaskKind task)
    {
        string what = TaskText(task);
        var entries = _ordered.Where(e => e.Descriptor.Task == task && !e.Builtin).ToList();
        return entries.Count == 0
            ? $"the catalog has no {what} model: add an entry under Restore:Models:Entries (see the README)"
            : $"no {what} model file is in the server's model folder (Restore:Models:Directory); the catalog's {what} entries are "
                + string.Join(", ", entries.Select(e => $"{e.Descriptor.Name} ({Path.GetFileName(e.Descriptor.File)})"))
                + ": put one of these files there (README, 'Production models'), or give its entry a Url and Sha256 to download it";
    }

    /// <summary>A task as people write it: <c>face-restoration</c>.</summary>
    private static string TaskText(ModelTaskKind task) => task switch
    {
        ModelTaskKind.SuperResolution => "super-resolution",
        ModelTaskKind.FaceDetection => "face-detection",
        ModelTaskKind.FaceRestoration => "face-restoration",
        _ => task.ToString(),
    };

    private static string MissingDetail(ModelDescriptor descriptor) =>
        $"file {Path.GetFileName(descriptor.File)} is not in the model folder, and the entry has no Url to download it from";

    /// <summary>True when a model of the task can be served (present, or downloadable).</summary>
    public bool Has(ModelTaskKind task) => DefaultFor(task) is not null;

    private string? DefaultFor(ModelTaskKind task) =>
        task == ModelTaskKind.SuperResolution
            ? DefaultModelName
            : _ordered.FirstOrDefault(e => e.Descriptor.Task == task && e.State is not (ModelState.Missing or ModelState.Unloaded))?.Descriptor.Name;

    public void Dispose()
    {
        foreach (CatalogEntry entry in _ordered)
        {
            entry.Swap(null)?.DisposeNow();
        }
    }

    /// <summary>A lease on the entry's current session; null when none serves. A session retired between reading it
    /// and leasing it has already been replaced, so the newer one is tried.</summary>
    private static ModelLease? TryLease(CatalogEntry entry)
    {
        while (entry.State != ModelState.Unloaded && entry.Current is { } session)
        {
            if (session.TryAcquire())
            {
                return new ModelLease(session);
            }

            if (ReferenceEquals(entry.Current, session))
            {
                return null;
            }
        }

        return null;
    }

    private static ModelStatus StatusOf(ModelCatalog catalog, CatalogEntry e) => new(
        e.Descriptor,
        e.State,
        e.Detail,
        e.ExecutionProvider,
        string.Equals(e.Descriptor.Name, catalog.DefaultModelName, StringComparison.OrdinalIgnoreCase),
        e.Builtin,
        catalog.EffectiveTileSize(e.Descriptor),
        e.State != ModelState.Unloaded && e.Current is not null,
        e.Precision);

    private ModelStatus StatusOf(CatalogEntry entry) => StatusOf(this, entry);

    private void MarkPendingOrMissing(CatalogEntry entry)
    {
        entry.State = File.Exists(entry.Path) || CanDownload(entry) ? ModelState.Pending : ModelState.Missing;
        entry.Detail = entry.State == ModelState.Missing ? MissingDetail(entry.Descriptor) : string.Empty;
    }

    /// <summary>The entry's first load, shared by every request waiting for it.</summary>
    private Task StartFirstLoad(CatalogEntry entry, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // A load cancelled by its first caller's token is retried by the next caller.
            if (entry.Loading is null || entry.Loading.IsCanceled)
            {
                entry.Loading = Task.Run(() => LoadUnlessServingAsync(entry, cancellationToken), CancellationToken.None);
            }

            return entry.Loading;
        }
    }

    /// <summary>Loads the entry unless a session already serves it (or an administrator unloaded it meanwhile).</summary>
    /// <exception cref="Exception">The load failed; the entry records why.</exception>
    private async Task LoadUnlessServingAsync(CatalogEntry entry, CancellationToken cancellationToken)
    {
        await entry.Changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Current is null && entry.State != ModelState.Unloaded)
            {
                await InstallAsync(entry, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            entry.Changes.Release();
        }
    }

    /// <summary>
    /// Builds and warms a new session from the entry's file, then swaps it in: new requests get it, requests on the
    /// previous session finish there, and the previous session goes when its last lease is released. On failure the
    /// previous session (if any) keeps serving and the entry is FAILED with the reason. Call under
    /// <see cref="CatalogEntry.Changes"/>.
    /// </summary>
    /// <exception cref="Exception">The load failed; the entry records why.</exception>
    private async Task InstallAsync(CatalogEntry entry, CancellationToken cancellationToken)
    {
        ModelDescriptor descriptor = entry.Descriptor;
        ModelSession? serving = entry.State == ModelState.Unloaded ? null : entry.Current;
        try
        {
            ModelSession session = await BuildSessionAsync(entry, descriptor, entry.Path!, serving is not null, cancellationToken).ConfigureAwait(false);
            entry.ExecutionProvider = session.Model.ExecutionProvider;
            entry.Precision = session.Precision;
            ModelSession? previous = entry.Swap(session);
            entry.Detail = session.Detail;
            entry.State = ModelState.Ready;
            previous?.Retire();
        }
        catch (OperationCanceledException)
        {
            if (serving is null)
            {
                MarkPendingOrMissing(entry);
            }
            else
            {
                entry.State = ModelState.Ready;
                entry.Detail = serving.Detail;
            }

            throw;
        }
        catch (Exception e)
        {
            entry.State = ModelState.Failed;
            entry.Detail = serving is null
                ? e.Message
                : $"{e.Message}; the session loaded at {serving.LoadedAt:u} ({serving.Detail}) keeps serving";
            LogLoadFailed(_logger, e, descriptor.Name, e.Message);
            throw;
        }
    }

    /// <summary>A new, warmed-up session from a model file: downloaded when missing and downloadable, its SHA-256
    /// checked when the descriptor has one.</summary>
    /// <param name="keepState">Leave the entry's state alone (a session serves while the new one loads).</param>
    private async Task<ModelSession> BuildSessionAsync(CatalogEntry? entry, ModelDescriptor descriptor, string path, bool keepState, CancellationToken cancellationToken)
    {
        void Report(ModelState state, string detail)
        {
            if (entry is not null && !keepState)
            {
                entry.State = state;
                entry.Detail = detail;
            }
        }

        if (!File.Exists(path))
        {
            if (!_options.DownloadMissing || string.IsNullOrWhiteSpace(descriptor.Url))
            {
                throw new FileNotFoundException(MissingDetail(descriptor), path);
            }

            Report(ModelState.Downloading, $"downloading from {descriptor.Url}");
            LogDownloading(_logger, descriptor.Name, descriptor.Url!, path);
            string downloaded = await ModelDownloader.DownloadAsync(_http, new Uri(descriptor.Url!), path, descriptor.Sha256, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(descriptor.Sha256))
            {
                LogUnpinnedDownload(_logger, descriptor.Name, downloaded);
            }
        }
        else if (!string.IsNullOrWhiteSpace(descriptor.Sha256))
        {
            string sha = await ModelDownloader.HashFileAsync(path, cancellationToken).ConfigureAwait(false);
            if (!sha.Equals(descriptor.Sha256.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"SHA-256 of {path} is {sha}, expected {descriptor.Sha256.Trim().ToLowerInvariant()}");
            }
        }

        Report(ModelState.Loading, $"loading {path}");
        var started = System.Diagnostics.Stopwatch.StartNew();
        (string sessionPath, string precision) = await SessionFileAsync(descriptor, path, cancellationToken).ConfigureAwait(false);
        (IReadOnlyList<OnnxSessionInstance> instances, string provider) = _sessions.CreateInstances(sessionPath, _sessions.DefaultInstances(descriptor));
        var model = new OnnxModel(descriptor, instances, provider);
        try
        {
            string warmed = descriptor.Task == ModelTaskKind.SuperResolution ? WarmUp(model) : string.Empty;
            LogLoaded(_logger, descriptor.Name, provider, model.Instances, model.Binding, started.ElapsedMilliseconds);
            LogPrecision(_logger, descriptor.Name, precision, provider, sessionPath);
            string detail = sessionPath == path ? $"{path}; {precision}" : $"{path}; {precision} copy {sessionPath}";
            return new ModelSession(model, warmed.Length == 0 ? detail : $"{detail}; warmed up {warmed}") { Precision = precision };
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Model runs worth executing at once: one per session of a model (two on CUDA, one on CPU).</summary>
    public int DefaultConcurrentRuns() => _sessions.DefaultInstances(new ModelDescriptor());

    /// <summary>Runs the shapes requests will use, so the first request pays no kernel selection or arena growth.</summary>
    /// <returns>The shapes run, for the entry's detail.</returns>
    private string WarmUp(OnnxModel model)
    {
        var shapes = new List<(int Batch, int Edge)> { (1, 32) };
        if (_options.WarmUp == WarmUpMode.TileShapes)
        {
            int window = EffectiveTileSize(model.Descriptor) + (2 * model.Descriptor.TileMargin);
            shapes.Add((1, window));
            // On CUDA every batch size is its own shape for cuDNN: the powers of two and the largest.
            int maxBatch = model.Descriptor.MaxBatch > 0 ? model.Descriptor.MaxBatch : _options.BatcherMaxBatch;
            if (model.ExecutionProvider == OnnxSessionFactory.CudaProvider)
            {
                var sizes = Enumerable.Range(1, 30).Select(p => 1 << p).TakeWhile(b => b < maxBatch).Append(maxBatch).Where(b => b > 1);
                shapes.AddRange(sizes.Select(b => (b, window)));
            }
        }

        foreach ((int batch, int edge) in shapes)
        {
            // As many runs as instances at once, so every session meets the shape.
            Parallel.For(0, model.Instances, _ =>
            {
                float[] input = new float[batch * 3 * edge * edge];
                float[] output = new float[input.Length * model.Scale * model.Scale];
                model.Run(input, output, batch, edge, edge, CancellationToken.None);
            });
        }

        return string.Join(", ", shapes.Select(s => $"{s.Batch}x{s.Edge}x{s.Edge}"));
    }

    private bool CanDownload(CatalogEntry entry) => _options.DownloadMissing && !string.IsNullOrWhiteSpace(entry.Descriptor.Url);

    private string ChooseDefault()
    {
        if (!string.IsNullOrWhiteSpace(_options.DefaultModel))
        {
            return _entries.TryGetValue(_options.DefaultModel, out CatalogEntry? configured)
                ? configured.Descriptor.Name
                : throw new ArgumentException($"default model '{_options.DefaultModel}' is not in the catalog");
        }

        CatalogEntry? choice =
            _ordered.FirstOrDefault(e => !e.Builtin && e.Descriptor.Task == ModelTaskKind.SuperResolution && e.State != ModelState.Missing)
            ?? _ordered.FirstOrDefault(e => e.Builtin)
            ?? _ordered.FirstOrDefault(e => e.Descriptor.Task == ModelTaskKind.SuperResolution);
        return choice?.Descriptor.Name ?? string.Empty;
    }

    private static void Validate(ModelDescriptor descriptor)
    {
        if (string.IsNullOrWhiteSpace(descriptor.Name) || string.IsNullOrWhiteSpace(descriptor.File))
        {
            throw new ArgumentException("every model entry needs a Name and a File");
        }

        if (descriptor.Scale is < 1 or > 16 || descriptor.TileMargin < 0 || descriptor.TileSize < 0)
        {
            throw new ArgumentException($"model '{descriptor.Name}': Scale must be 1..16, TileSize and TileMargin ≥ 0");
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Model {Model} loaded on {Provider} ({Instances} sessions, I/O binding {IoBinding}) in {ElapsedMs} ms")]
    private static partial void LogLoaded(ILogger logger, string model, string provider, int instances, string ioBinding, long elapsedMs);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Model {Model} failed to load: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string model, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Model {Model}: downloading {Url} to {Path}")]
    private static partial void LogDownloading(ILogger logger, string model, string url, string path);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Model {Model} was downloaded without a configured SHA-256; pin it with Sha256 = {Sha256}")]
    private static partial void LogUnpinnedDownload(ILogger logger, string model, string sha256);
}
