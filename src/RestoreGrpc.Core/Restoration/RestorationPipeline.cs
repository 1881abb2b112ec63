using Microsoft.Extensions.Logging;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Tiling;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RestoreGrpc.Core.Restoration;

/// <summary>
/// One unary restoration: decode (upright, first frame) → tile plan → tiled model inference → outscale resampling
/// → alpha → encode in the source's layout. Stateless apart from the shared catalog and gate; safe to call
/// concurrently.
/// </summary>
public sealed partial class RestorationPipeline
{
    private readonly ModelCatalog _catalog;
    private readonly InferenceGate _gate;
    private readonly ImageLimits _limits;
    private readonly EncodingOptions _encoding;
    private readonly ILogger _logger;

    public RestorationPipeline(ModelCatalog catalog, InferenceGate gate, ImageLimits limits, EncodingOptions encoding, ILogger<RestorationPipeline> logger)
    {
        _catalog = catalog;
        _gate = gate;
        _limits = limits;
        _encoding = encoding;
        _logger = logger;
    }

    /// <exception cref="InvalidRequestException">Bad image or option (field named).</exception>
    /// <exception cref="ModelNotFoundException">Unknown model.</exception>
    /// <exception cref="ModelUnavailableException">Model cannot run.</exception>
    /// <exception cref="OperationCanceledException">Cancelled or past its deadline.</exception>
    public async Task<RestorationResult> RestoreAsync(ReadOnlyMemory<byte> image, RestoreSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = new StageClock();
        settings.Validate();
        IUpscaleModel model = await _catalog.GetUpscalerAsync(settings.Model, RestoreSettings.Fields.Model, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        long started = StageClock.Now;
        using DecodedImage decoded = ImageDecoder.Decode(image, _limits);
        clock.AddDecode(started);

        ImageDescription input = decoded.Description;
        double scale = settings.Scale is > 0 ? settings.Scale.Value : model.Scale;
        int outputWidth = Math.Max(1, (int)Math.Round(input.Width * scale));
        int outputHeight = Math.Max(1, (int)Math.Round(input.Height * scale));
        long modelPixels = input.Pixels * model.Scale * model.Scale;
        if (Math.Max(modelPixels, (long)outputWidth * outputHeight) > _limits.MaxOutputPixels)
        {
            throw new InvalidRequestException(
                InvalidImageException.ImageField,
                $"is {input.Width}x{input.Height}; at ×{Math.Max(scale, model.Scale):0.##} the output would exceed {_limits.MaxOutputPixels / 1e6:F0} MP (use the streaming API for larger images)");
        }

        var plan = TilePlan.Create(input.Width, input.Height, new TilePlanOptions(
            settings.TileSize ?? _catalog.EffectiveTileSize(model.Descriptor),
            settings.TileMargin ?? model.Descriptor.TileMargin,
            model.Scale));

        using Image restored = decoded.Pixels switch
        {
            Image<Rgba32> pixels => await RestorePixelsAsync(pixels, plan, model, input, outputWidth, outputHeight, clock, cancellationToken).ConfigureAwait(false),
            Image<Rgba64> pixels => await RestorePixelsAsync(pixels, plan, model, input, outputWidth, outputHeight, clock, cancellationToken).ConfigureAwait(false),
            _ => throw new InvalidOperationException($"unexpected pixel type {decoded.Pixels.GetType()}"),
        };

        started = StageClock.Now;
        EncodedImage encoded = ImageEncoder.Encode(restored, input, decoded.IccProfile, decoded.ExifProfile, _encoding.ApplyTo(settings.Encoding));
        clock.AddEncode(started);

        StageTimings timings = clock.Snapshot();
        LogRestored(_logger, model.Descriptor.Name, input.Width, input.Height, outputWidth, outputHeight, plan.Count, timings.Total.TotalMilliseconds);
        return new RestorationResult(
            encoded,
            input,
            model.Descriptor.Name,
            model.Scale,
            (double)outputWidth / input.Width,
            plan.Count,
            plan.Options.TileSize,
            plan.Options.Margin,
            model.ExecutionProvider,
            timings);
    }

    private async Task<Image> RestorePixelsAsync<TPixel>(
        Image<TPixel> source,
        TilePlan plan,
        IUpscaleModel model,
        ImageDescription input,
        int outputWidth,
        int outputHeight,
        StageClock clock,
        CancellationToken cancellationToken)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        Image<TPixel> restored = await TiledUpscaler.UpscaleAsync(source, plan, model, _gate, clock, cancellationToken).ConfigureAwait(false);
        try
        {
            long started = StageClock.Now;
            if (restored.Width != outputWidth || restored.Height != outputHeight)
            {
                restored.Mutate(x => x.Resize(new ResizeOptions
                {
                    Size = new Size(outputWidth, outputHeight),
                    Sampler = KnownResamplers.Lanczos3,
                    Mode = ResizeMode.Stretch,
                    Compand = false,
                }));
            }

            if (input.HasAlpha)
            {
                AlphaChannel.Transfer(source, restored);
            }

            clock.AddPostprocess(started);
            return restored;
        }
        catch
        {
            restored.Dispose();
            throw;
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information,
        Message = "Restored with {Model}: {Width}x{Height} -> {OutputWidth}x{OutputHeight}, {Tiles} tiles, {ElapsedMs:F0} ms")]
    private static partial void LogRestored(ILogger logger, string model, int width, int height, int outputWidth, int outputHeight, int tiles, double elapsedMs);
}
