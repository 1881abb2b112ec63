using Microsoft.Extensions.Logging;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Faces;
using RestoreGrpc.Core.Faces.Alignment;
using RestoreGrpc.Core.Faces.Detection;
using RestoreGrpc.Core.Faces.Restoration;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Memory;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Telemetry;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Restoration;

/// <summary>
/// One unary restoration: decode (upright, first frame) → [detect faces] → background (tiled super-resolution and
/// outscale, or resampling for faces-only) → [restore faces and paste them back] → alpha → encode in the source's
/// layout. Tiles and face crops of all requests meet in one <see cref="DynamicBatcher"/>. Stateless apart from the
/// shared catalog, gate and batcher; safe to call concurrently.
/// </summary>
public sealed partial class RestorationPipeline
{
    /// <summary>Reported as the model of a faces-only request's background.</summary>
    public const string ResampledBackground = "lanczos-resample";

    private readonly ModelCatalog _catalog;
    private readonly InferenceGate _gate;
    private readonly ImageLimits _limits;
    private readonly EncodingOptions _encoding;
    private readonly DynamicBatcher _batcher;
    private readonly ILogger _logger;

    public RestorationPipeline(
        ModelCatalog catalog,
        InferenceGate gate,
        DynamicBatcher batcher,
        ImageLimits limits,
        EncodingOptions encoding,
        ILogger<RestorationPipeline> logger)
    {
        _catalog = catalog;
        _gate = gate;
        _batcher = batcher;
        _limits = limits;
        _encoding = encoding;
        _logger = logger;
    }

    /// <exception cref="InvalidRequestException">Bad image or option (field named).</exception>
    /// <exception cref="ModelNotFoundException">Unknown model.</exception>
    /// <exception cref="ModelUnavailableException">Model cannot run.</exception>
    /// <exception cref="OperationCanceledException">Cancelled or past its deadline.</exception>
    public Task<RestorationResult> RestoreAsync(ReadOnlyMemory<byte> image, RestoreSettings settings, CancellationToken cancellationToken) =>
        RestoreAsync(image, settings, memory: null, cancellationToken);

    /// <param name="image">The encoded input.</param>
    /// <param name="settings">The request's options.</param>
    /// <param name="memory">When given, grown by the request's <see cref="RequestMemory"/> estimate (from the image
    /// header) before anything is decoded; the caller releases it once the response has been sent.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="QueueFullException">The memory budget has no room for the request in time.</exception>
    public Task<RestorationResult> RestoreAsync(ReadOnlyMemory<byte> image, RestoreSettings settings, MemoryReservation? memory, CancellationToken cancellationToken) =>
        RestoreAsync(image, settings, memory, progress: null, cancellationToken);

    /// <summary>As <see cref="RestoreAsync(ReadOnlyMemory{byte}, RestoreSettings, MemoryReservation?, CancellationToken)"/>,
    /// reporting each stage change and each finished tile and face to <paramref name="progress"/> (in order, from the
    /// threads that do the work: the sink must be quick and thread-safe). The result does not depend on it.</summary>
    public async Task<RestorationResult> RestoreAsync(
        ReadOnlyMemory<byte> image,
        RestoreSettings settings,
        MemoryReservation? memory,
        IProgress<RestoreProgressReport>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tracker = progress is null ? ProgressTracker.None : new ProgressTracker(progress);
        tracker.Enter(RestoreStageKind.Queued);
        var clock = new StageClock();
        settings.Validate();
        FaceSettings faceSettings = settings.FaceOptions;

        // Resolve every model before decoding, so a bad name fails fast. AUTO without a face restorer, or without a
        // detector to find faces with, is plain SR, and the response says that faces were not looked for and why.
        // Each model is leased for the whole request: a reload or unload meanwhile lets it finish on these sessions.
        RestoreTaskKind task = settings.Task;
        using ModelLease? restorerLease = task switch
        {
            RestoreTaskKind.Faces or RestoreTaskKind.FacesAndBackground => await GetRestorerAsync(faceSettings, cancellationToken).ConfigureAwait(false),
            RestoreTaskKind.Auto when faceSettings.Restorer is not null || _catalog.Has(ModelTaskKind.FaceRestoration) =>
                await GetRestorerAsync(faceSettings, cancellationToken).ConfigureAwait(false),
            _ => null,
        };
        IUpscaleModel? restorer = restorerLease?.Model;
        string? facesNotSearched = null;
        if (task == RestoreTaskKind.Auto)
        {
            bool canDetect = faceSettings.Landmarks is { Count: > 0 } || faceSettings.Detector is not null || _catalog.Has(ModelTaskKind.FaceDetection);
            facesNotSearched = restorer is null ? _catalog.NoModelFor(ModelTaskKind.FaceRestoration)
                : !canDetect ? _catalog.NoModelFor(ModelTaskKind.FaceDetection)
                : null;
            if (facesNotSearched is not null)
            {
                restorer = null;
                task = RestoreTaskKind.SuperResolution;
            }
        }

        using ModelLease? modelLease = task == RestoreTaskKind.Faces
            ? null
            : await _catalog.AcquireUpscalerAsync(settings.Model, RequestField.Model, cancellationToken).ConfigureAwait(false);
        IUpscaleModel? model = modelLease?.Model;

        if (memory is not null)
        {
            await memory.GrowAsync(HeldBytes(image, model, settings, restorer is not null), cancellationToken).ConfigureAwait(false);
        }

        tracker.Enter(RestoreStageKind.Decoding);
        long started = StageClock.Now;
        using DecodedImage decoded = RestoreTelemetry.Traced(RestoreStages.Decode, () => ImageDecoder.Decode(image, _limits));
        clock.AddDecode(started);
        ImageDescription input = decoded.Description;

        IReadOnlyList<DetectedFace> detected = [];
        string? detectorName = null;
        if (restorer is not null)
        {
            tracker.Enter(RestoreStageKind.DetectingFaces);
            started = StageClock.Now;
            (detected, detectorName) = await RestoreTelemetry.TracedAsync(RestoreStages.FaceDetect, () => FindFacesAsync(decoded, faceSettings, cancellationToken)).ConfigureAwait(false);
            clock.AddFaceDetection(started);
        }

        IReadOnlyList<DetectedFace> selected = FaceSelector.Select(detected, faceSettings.Selection, input.Width, input.Height);
        if (task == RestoreTaskKind.Auto)
        {
            task = selected.Count > 0 ? RestoreTaskKind.FacesAndBackground : RestoreTaskKind.SuperResolution;
        }

        int modelScale = model?.Scale ?? 1;
        (int outputWidth, int outputHeight, double scale) = OutputSize(input.Width, input.Height, modelScale, settings);
        long modelPixels = input.Pixels * modelScale * modelScale;
        if (Math.Max(modelPixels, (long)outputWidth * outputHeight) > _limits.MaxOutputPixels)
        {
            throw new InvalidRequestException(
                RequestField.Image,
                $"is {input.Width}x{input.Height}; at ×{Math.Max(scale, modelScale):0.##} the output would exceed {_limits.MaxOutputPixels / 1e6:F0} MP (use the streaming API for larger images)");
        }

        TilePlan? plan = model is null ? null : RestoreTelemetry.Traced(RestoreStages.Plan, () => PlanFor(input.Width, input.Height, model, settings));

        var job = new Job(model, plan, restorer, selected, faceSettings, outputWidth, outputHeight, clock, new BatchOwner(clock, settings.Tenant, _batcher.PriorityFor(settings.Priority, plan?.Count ?? 0)), tracker);
        (Image restored, IReadOnlyList<FaceReport> restoredFaces) = decoded.Pixels switch
        {
            Image<Rgba32> pixels => await RestorePixelsAsync(pixels, input, job, cancellationToken).ConfigureAwait(false),
            Image<Rgba64> pixels => await RestorePixelsAsync(pixels, input, job, cancellationToken).ConfigureAwait(false),
            _ => throw new InvalidOperationException($"unexpected pixel type {decoded.Pixels.GetType()}"),
        };

        EncodedImage encoded;
        using (restored)
        {
            tracker.Enter(RestoreStageKind.Encoding);
            started = StageClock.Now;
            encoded = RestoreTelemetry.Traced(RestoreStages.Encode, () => ImageEncoder.Encode(restored, input, decoded.IccProfile, decoded.ExifProfile, _encoding.ApplyTo(settings.Encoding)));
            clock.AddEncode(started);
        }

        var reports = restoredFaces.Concat(detected.Except(selected).Select(f => new FaceReport(f, null, false))).ToList();
        StageTimings timings = clock.Snapshot();
        string modelName = model?.Descriptor.Name ?? ResampledBackground;
        RestoreMetrics.RecordRestored(modelName, plan?.Count ?? 0, input.Pixels);
        LogRestored(_logger, modelName, task, input.Width, input.Height, outputWidth, outputHeight, plan?.Count ?? 0, restoredFaces.Count, timings.Total.TotalMilliseconds);
        return new RestorationResult(
            encoded,
            input,
            modelName,
            modelScale,
            (double)outputWidth / input.Width,
            plan?.Count ?? 0,
            plan?.Options.TileSize ?? 0,
            plan?.Options.Margin ?? 0,
            model?.ExecutionProvider ?? restorer?.ExecutionProvider ?? BuiltinModels.ExecutionProvider,
            timings,
            task,
            reports,
            detectorName,
            restorer?.Descriptor.Name,
            facesNotSearched is null ? null : $"faces were not looked for: {facesNotSearched}");
    }

    /// <summary>Plans a super-resolution of an image of the given size without running it.</summary>
    /// <exception cref="InvalidRequestException">Bad size or option.</exception>
    public async Task<RestoreEstimate> EstimateAsync(int width, int height, int bitDepth, RestoreSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (width < 1 || width > _limits.MaxDimension)
        {
            throw new InvalidRequestException(RequestField.Width, $"must be 1..{_limits.MaxDimension} (got {width})");
        }

        if (height < 1 || height > _limits.MaxDimension)
        {
            throw new InvalidRequestException(RequestField.Height, $"must be 1..{_limits.MaxDimension} (got {height})");
        }

        using ModelLease lease = await _catalog.AcquireUpscalerAsync(settings.Model, RequestField.Model, cancellationToken).ConfigureAwait(false);
        IUpscaleModel model = lease.Model;
        TilePlan plan = PlanFor(width, height, model, settings);
        (int outputWidth, int outputHeight, _) = OutputSize(width, height, model.Scale, settings);

        long modelOutputPixels = (long)plan.OutputWidth * plan.OutputHeight;
        long finalPixels = (long)outputWidth * outputHeight;
        long memory = RequestMemory.Restoration(width, height, bitDepth, outputWidth, outputHeight, plan, _batcher.Options.TilesInFlightPerRequest, faces: false);
        TimeSpan? inference = _batcher.SecondsPerInputPixel(model) is { } perPixel
            ? TimeSpan.FromSeconds(perPixel * plan.WindowPixels)
            : null;
        bool exceeds = (long)width * height > _limits.MaxInputPixels || Math.Max(modelOutputPixels, finalPixels) > _limits.MaxOutputPixels;
        return new RestoreEstimate(
            model.Descriptor.Name,
            model.Scale,
            outputWidth,
            outputHeight,
            plan.Count,
            plan.Options.TileSize,
            plan.Options.Margin,
            plan.WindowWidth,
            plan.WindowHeight,
            (plan.Count + _batcher.MaxBatchFor(model) - 1) / _batcher.MaxBatchFor(model),
            memory,
            inference,
            exceeds);
    }

    /// <summary>Detects faces without restoring anything.</summary>
    public Task<(IReadOnlyList<DetectedFace> Faces, ImageDescription Input, string Detector)> DetectFacesAsync(
        ReadOnlyMemory<byte> image,
        FaceSettings settings,
        CancellationToken cancellationToken) =>
        DetectFacesAsync(image, settings, memory: null, cancellationToken);

    /// <summary>Detects faces without restoring anything; <paramref name="memory"/> as for <see cref="RestoreAsync(ReadOnlyMemory{byte}, RestoreSettings, MemoryReservation?, CancellationToken)"/>.</summary>
    public async Task<(IReadOnlyList<DetectedFace> Faces, ImageDescription Input, string Detector)> DetectFacesAsync(
        ReadOnlyMemory<byte> image,
        FaceSettings settings,
        MemoryReservation? memory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        new RestoreSettings(Faces: settings).Validate();
        if (memory is not null)
        {
            await memory.GrowAsync(HeldBytes(image, model: null, new RestoreSettings(Scale: 1), faces: true), cancellationToken).ConfigureAwait(false);
        }

        using DecodedImage decoded = ImageDecoder.Decode(image, _limits);
        (IReadOnlyList<DetectedFace> faces, string detector) = await FindFacesAsync(decoded, settings, cancellationToken).ConfigureAwait(false);
        return (FaceSelector.Select(faces, settings.Selection, decoded.Description.Width, decoded.Description.Height), decoded.Description, detector);
    }

    /// <summary>
    /// The <see cref="RequestMemory"/> estimate of a request, from the image header alone. Zero for an image the
    /// decoder or the output limit will refuse anyway (it must not wait for memory it will never take).
    /// </summary>
    private long HeldBytes(ReadOnlyMemory<byte> image, IUpscaleModel? model, RestoreSettings settings, bool faces)
    {
        if (image.IsEmpty)
        {
            return 0;
        }

        (SixLabors.ImageSharp.IImageInfo info, SixLabors.ImageSharp.Formats.IImageFormat format) = ImageDecoder.Identify(image);
        if (FormatKinds.FromImageSharp(format) is not { } kind
            || info.Width > _limits.MaxDimension
            || info.Height > _limits.MaxDimension
            || (long)info.Width * info.Height > _limits.MaxInputPixels)
        {
            return 0;
        }

        int modelScale = model?.Scale ?? 1;
        (int outputWidth, int outputHeight, _) = OutputSize(info.Width, info.Height, modelScale, settings);
        if (Math.Max((long)info.Width * info.Height * modelScale * modelScale, (long)outputWidth * outputHeight) > _limits.MaxOutputPixels)
        {
            return 0;
        }

        TilePlan? plan = model is null ? null : PlanFor(info.Width, info.Height, model, settings);
        int bitDepth = ImagePixelLayout.Detect(kind, info).BitDepth;
        return RequestMemory.Restoration(info.Width, info.Height, bitDepth, outputWidth, outputHeight, plan, _batcher.Options.TilesInFlightPerRequest, faces);
    }

    /// <summary>The request's tile plan: its tile size and margin, else the model's defaults.</summary>
    private TilePlan PlanFor(int width, int height, IUpscaleModel model, RestoreSettings settings) =>
        TilePlan.Create(width, height, new TilePlanOptions(
            settings.TileSize ?? _catalog.EffectiveTileSize(model.Descriptor),
            settings.TileMargin ?? model.Descriptor.TileMargin,
            model.Scale));

    /// <summary>
    /// Final size: the requested scale, else the model's. Each side is truncated, as Real-ESRGAN's <c>--outscale</c>
    /// does (<c>int(side × scale)</c>: 151×97 at ×2.5 → 377×242). A scale that leaves a side under one pixel is refused.
    /// </summary>
    private static (int Width, int Height, double Scale) OutputSize(int width, int height, int modelScale, RestoreSettings settings)
    {
        double scale = settings.Scale is > 0 ? settings.Scale.Value : modelScale;
        int outputWidth = (int)(width * scale);
        int outputHeight = (int)(height * scale);
        if (outputWidth < 1 || outputHeight < 1)
        {
            throw new InvalidRequestException(
                RequestField.Scale,
                $"×{scale.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)} would make this {width}x{height} image {outputWidth}x{outputHeight}; the output must be at least 1x1 pixel");
        }

        return (outputWidth, outputHeight, scale);
    }

    private async Task<ModelLease> GetRestorerAsync(FaceSettings faces, CancellationToken cancellationToken)
    {
        ModelLease restorer = await _catalog.AcquireAsync(faces.Restorer, ModelTaskKind.FaceRestoration, RequestField.FaceRestorer, cancellationToken).ConfigureAwait(false);
        if (restorer.Model.Descriptor.FixedSize >= 16)
        {
            return restorer;
        }

        restorer.Dispose();
        throw new ModelUnavailableException(restorer.Model.Descriptor.Name, "a face restorer needs FixedSize (its square crop size) in the catalog");
    }

    private async Task<(IReadOnlyList<DetectedFace> Faces, string Detector)> FindFacesAsync(DecodedImage decoded, FaceSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Landmarks is { Count: > 0 } given)
        {
            return (given.Select(FaceSelector.FromLandmarks).ToList(), "caller");
        }

        using ModelLease lease = await _catalog.AcquireAsync(settings.Detector, ModelTaskKind.FaceDetection, RequestField.FaceDetector, cancellationToken).ConfigureAwait(false);
        IUpscaleModel model = lease.Model;
        IFaceDetector detector = FaceDetectors.Create(model, RequestField.FaceDetector);
        using Image<Rgb24> rgb = decoded.Pixels.CloneAs<Rgb24>();
        using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            return (detector.Detect(rgb, settings.DetectionOptions, cancellationToken), model.Descriptor.Name);
        }
    }

    private async Task<(Image Image, IReadOnlyList<FaceReport> Faces)> RestorePixelsAsync<TPixel>(
        Image<TPixel> source,
        ImageDescription input,
        Job job,
        CancellationToken cancellationToken)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        if (job.Model is not null)
        {
            job.Progress.StartTiles(job.Plan!.Count);
        }

        Image<TPixel> canvas = job.Model is null
            ? source.Clone()
            : await RestoreTelemetry.TracedAsync(
                RestoreStages.Upscale,
                () => TiledUpscaler.UpscaleAsync(source, job.Plan!, job.Model, _batcher, job.Owner, job.Clock, job.Progress, cancellationToken),
                [new(RestoreAttributes.Model, job.Model.Descriptor.Name), new(RestoreAttributes.Tiles, job.Plan!.Count)]).ConfigureAwait(false);
        try
        {
            long started = StageClock.Now;
            if (canvas.Width != job.OutputWidth || canvas.Height != job.OutputHeight)
            {
                using (RestoreTelemetry.StartStage(RestoreStages.Resize))
                {
                    canvas.Mutate(x => x.Resize(LanczosResize.To(job.OutputWidth, job.OutputHeight)));
                }
            }

            job.Clock.AddPostprocess(started);

            IReadOnlyList<FaceReport> faces = [];
            if (job.Restorer is not null && job.Faces.Count > 0)
            {
                job.Progress.StartFaces(job.Faces.Count);
                started = StageClock.Now;
                double k = ((double)job.OutputWidth / input.Width + (double)job.OutputHeight / input.Height) / 2;
                var toCanvas = SimilarityTransform.Scaling(k);
                AlignedFace[] aligned = job.Faces
                    .Select(f => AlignedFace.Align(f.Landmarks.Select(p => toCanvas.Apply(p.X, p.Y)).ToArray(), job.Restorer.Descriptor.FixedSize))
                    .ToArray();
                var mergeSettings = new FaceRestoreSettings(job.FaceSettings.Blend, job.FaceSettings.ColorFidelity);
                await FaceRestorer.RestoreAsync(canvas, aligned, job.Restorer, mergeSettings, _batcher, job.Owner, job.Progress.FaceDone, cancellationToken).ConfigureAwait(false);
                faces = job.Faces.Select((f, i) => new FaceReport(f, aligned[i].CanvasToCrop.After(toCanvas), true)).ToList();
                job.Clock.AddFaceRestoration(started);
            }

            started = StageClock.Now;
            if (input.HasAlpha)
            {
                AlphaChannel.Transfer(source, canvas);
            }

            job.Clock.AddPostprocess(started);
            return (canvas, faces);
        }
        catch
        {
            canvas.Dispose();
            throw;
        }
    }

    /// <summary>What one request runs, resolved before touching pixels.</summary>
    private sealed record Job(
        IUpscaleModel? Model,
        TilePlan? Plan,
        IUpscaleModel? Restorer,
        IReadOnlyList<DetectedFace> Faces,
        FaceSettings FaceSettings,
        int OutputWidth,
        int OutputHeight,
        StageClock Clock,
        BatchOwner Owner,
        ProgressTracker Progress);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information,
        Message = "Restored with {Model} ({Task}): {Width}x{Height} -> {OutputWidth}x{OutputHeight}, {Tiles} tiles, {Faces} faces, {ElapsedMs:F0} ms")]
    private static partial void LogRestored(ILogger logger, string model, RestoreTaskKind task, int width, int height, int outputWidth, int outputHeight, int tiles, int faces, double elapsedMs);
}
