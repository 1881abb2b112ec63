using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Streaming;

/// <summary>
/// Opens tile streams: validates a stream header, plans the tiles with the shared <see cref="TilePlan"/> (the SDK
/// computes the same plan), creates or resumes the job, and attaches a <see cref="StreamingSession"/>. Streaming is
/// super-resolution at the model's native scale: face restoration needs the whole image's context.
/// </summary>
public sealed class StreamingRestorer
{
    private readonly ModelCatalog _catalog;
    private readonly DynamicBatcher _batcher;
    private readonly ImageLimits _limits;
    private readonly StreamingOptions _options;
    private readonly StreamingJobRegistry _registry;

    public StreamingRestorer(ModelCatalog catalog, DynamicBatcher batcher, ImageLimits limits, StreamingOptions options, StreamingJobRegistry registry)
    {
        _catalog = catalog;
        _batcher = batcher;
        _limits = limits;
        _options = options;
        _registry = registry;
    }

    public StreamingOptions Options => _options;

    /// <exception cref="InvalidRequestException">Bad header (field named).</exception>
    /// <exception cref="ModelNotFoundException">Unknown model.</exception>
    /// <exception cref="ModelUnavailableException">Model cannot run.</exception>
    /// <exception cref="StreamJobNotFoundException">Resume of an unknown or expired job whose header does not repeat
    /// the image size (with it, the job is rebuilt: <see cref="StreamingSession.Rebuilt"/>).</exception>
    /// <exception cref="QueueFullException">Too many open streams, in all or for this client.</exception>
    public async Task<StreamingSession> OpenAsync(StreamOpenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RestoreSettings settings = request.Settings;
        settings.Validate();
        if (settings.Task is not RestoreTaskKind.SuperResolution)
        {
            throw new InvalidRequestException(
                RequestField.StreamTask,
                $"streaming restores super-resolution only (got {settings.Task}): face restoration needs the whole image's context; use Restore");
        }

        bool rebuilt = false;
        StreamingJob job;
        if (string.IsNullOrEmpty(request.JobId))
        {
            job = await CreateJobAsync(request, settings, cancellationToken).ConfigureAwait(false);
        }
        else if (TryResume(request) is { } known)
        {
            job = known;
        }
        else
        {
            // Stateless resume: another instance started the job (or it expired here). The plan is deterministic from
            // the header, so a new job built from it gives every held tile the same meaning; only the others are sent.
            job = await CreateJobAsync(request, settings, cancellationToken).ConfigureAwait(false);
            AdoptHeld(job, request.HeldTiles);
            rebuilt = true;
        }

        try
        {
            CheckHeld(job, request.HeldTiles);
        }
        catch
        {
            _registry.Forget(job);
            throw;
        }

        CancellationTokenSource attachment;
        try
        {
            attachment = _registry.Attach(job);
        }
        catch
        {
            _registry.Forget(job);
            throw;
        }

        var owner = new BatchOwner(job, settings.Tenant, _batcher.PriorityFor(settings.Priority, job.Plan.Count));
        return new StreamingSession(job, _registry, attachment, _batcher, owner, _options, request.HeldTiles, cancellationToken) { Rebuilt = rebuilt };
    }

    private static void CheckHeld(StreamingJob job, IReadOnlyCollection<int> heldTiles)
    {
        foreach (int held in heldTiles)
        {
            if (held < 0 || held >= job.Plan.Count)
            {
                throw new InvalidRequestException(RequestField.StreamHeldTiles, $"names tile {held}, outside the plan (tiles 0..{job.Plan.Count - 1})");
            }

            if (!job.WasSent(held))
            {
                throw new InvalidRequestException(RequestField.StreamHeldTiles, $"names tile {held}, which job {job.Id} never sent");
            }
        }
    }

    private async Task<StreamingJob> CreateJobAsync(StreamOpenRequest request, RestoreSettings settings, CancellationToken cancellationToken)
    {
        if (request.Width < 1 || request.Width > _limits.MaxDimension)
        {
            throw new InvalidRequestException(RequestField.StreamWidth, $"must be 1..{_limits.MaxDimension} (got {request.Width})");
        }

        if (request.Height < 1 || request.Height > _limits.MaxDimension)
        {
            throw new InvalidRequestException(RequestField.StreamHeight, $"must be 1..{_limits.MaxDimension} (got {request.Height})");
        }

        StreamPixelFormat format = request.Format ?? StreamPixelFormat.Rgb24;
        format.Validate();

        // The job holds the lease until it leaves the registry: its resumed streams run on the same session.
        ModelLease lease = await _catalog.AcquireUpscalerAsync(settings.Model, RequestField.Model, cancellationToken).ConfigureAwait(false);
        try
        {
            return CreateJob(request, settings, format, lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private StreamingJob CreateJob(StreamOpenRequest request, RestoreSettings settings, StreamPixelFormat format, ModelLease lease)
    {
        IUpscaleModel model = lease.Model;
        if (settings.Scale is { } scale && scale != model.Scale)
        {
            throw new InvalidRequestException(
                RequestField.Scale,
                $"streaming runs at the model's native scale ×{model.Scale} (got {scale}); leave it 0 and resample the output if needed");
        }

        TilePlan plan = TilePlan.Create(request.Width, request.Height, new TilePlanOptions(
            settings.TileSize ?? _catalog.EffectiveTileSize(model.Descriptor),
            settings.TileMargin ?? model.Descriptor.TileMargin,
            model.Scale));
        long tileBytes = (long)plan.WindowWidth * plan.WindowHeight * format.BytesPerPixel;
        if (tileBytes > _options.MaxTileBytes)
        {
            throw new InvalidRequestException(
                RequestField.TileSize,
                $"gives {plan.WindowWidth}x{plan.WindowHeight} windows of {tileBytes} bytes ({format}); streamed tiles may carry at most {_options.MaxTileBytes} bytes: choose a smaller tile size or margin");
        }

        return _registry.Create(lease, plan, format, request.Client, request.Settings.Tenant);
    }

    /// <summary>Tiles a rebuilt job's client says it holds count as sent (they were, by the instance that started the
    /// job), once they are checked to lie in the plan.</summary>
    private void AdoptHeld(StreamingJob job, IReadOnlyCollection<int> heldTiles)
    {
        foreach (int held in heldTiles)
        {
            if (held < 0 || held >= job.Plan.Count)
            {
                _registry.Forget(job);
                throw new InvalidRequestException(RequestField.StreamHeldTiles, $"names tile {held}, outside the plan (tiles 0..{job.Plan.Count - 1})");
            }
        }

        foreach (int held in heldTiles)
        {
            job.MarkSent(held);
        }
    }

    /// <summary>Whether this server holds job <paramref name="jobId"/> for <paramref name="tenant"/> (a resume of it
    /// attaches to it; otherwise a header that repeats the image size rebuilds it, as a new job here).</summary>
    public bool Holds(string jobId, string tenant)
    {
        try
        {
            _ = _registry.Find(jobId, tenant);
            return true;
        }
        catch (StreamJobNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The job the header resumes, or null when this server does not have it but can rebuild it from the
    /// header (<see cref="StreamOpenRequest.CanRebuild"/>).</summary>
    private StreamingJob? TryResume(StreamOpenRequest request)
    {
        StreamingJob job;
        try
        {
            job = _registry.Find(request.JobId!, request.Settings.Tenant);
        }
        catch (StreamJobNotFoundException) when (request.CanRebuild)
        {
            return null;
        }

        if ((request.Width != 0 && request.Width != job.Plan.ImageWidth) || (request.Height != 0 && request.Height != job.Plan.ImageHeight))
        {
            throw new InvalidRequestException(
                RequestField.StreamWidth,
                $"job {job.Id} is {job.Plan.ImageWidth}x{job.Plan.ImageHeight}; the header says {request.Width}x{request.Height}");
        }

        if (request.Format is { } format && format != job.Format)
        {
            throw new InvalidRequestException(RequestField.StreamBitDepth, $"job {job.Id} streams {job.Format}; the header says {format}");
        }

        return job;
    }
}
