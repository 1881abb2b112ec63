using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Server.Hosting;

namespace RestoreGrpc.Server.Services;

/// <summary>
/// Refuses absurd tile plans before any work starts: windows that compute far more model pixels than the image has
/// (a tiny tile under a wide margin) and plans of more tiles than <see cref="CallLimitsOptions.MaxTiles"/>. The
/// model's margin and default tile come from the catalog; an unknown model is left to the core (NOT_FOUND).
/// </summary>
internal sealed class RequestPlanGuard(ModelCatalog catalog, IOptions<CallLimitsOptions> limits)
{
    /// <param name="width">Image width when known before decoding (a stream's header), else null.</param>
    /// <exception cref="InvalidRequestException">The plan is refused; the field is the tile size.</exception>
    public void Check(RestoreSettings settings, int? width = null, int? height = null)
    {
        settings.Validate(); // the field checks first, as the core would order them
        if (settings.Task is RestoreTaskKind.Faces)
        {
            return; // no super-resolution tiles
        }

        ModelDescriptor? model = SuperResolutionModel(settings);
        if (model is null)
        {
            return;
        }

        CallLimitsOptions options = limits.Value;
        int tile = settings.TileSize ?? catalog.EffectiveTileSize(model);
        int margin = settings.TileMargin ?? model.TileMargin;
        if (tile <= 0)
        {
            return;
        }

        double overhead = Math.Pow((tile + (2.0 * margin)) / tile, 2);
        if (overhead > options.MaxWindowOverhead)
        {
            int least = (int)Math.Ceiling(2.0 * margin / (Math.Sqrt(options.MaxWindowOverhead) - 1));
            throw new InvalidRequestException(
                RequestField.TileSize,
                $"tile {tile} with margin {margin} computes {overhead:F1}x the image's pixels ({tile + (2 * margin)}² windows for {tile}² tiles); " +
                $"this server allows at most {options.MaxWindowOverhead:0.#}x: use a tile size of at least {least}");
        }

        if (width is > 0 && height is > 0)
        {
            long tiles = (long)Math.Ceiling((double)width.Value / tile) * (long)Math.Ceiling((double)height.Value / tile);
            if (tiles > options.MaxTiles)
            {
                long least = (long)Math.Ceiling(Math.Sqrt((double)width.Value * height.Value / options.MaxTiles));
                throw new InvalidRequestException(
                    RequestField.TileSize,
                    $"tile {tile} cuts {width}x{height} into {tiles} tiles; this server allows at most {options.MaxTiles} per request: use a tile size of at least {least}");
            }
        }
    }

    /// <summary>The tiles a request's plan has (for the per-tenant queued-tiles quota): the super-resolution plan's
    /// tile count, 1 for a faces-only request or a model the catalog does not know (the core refuses that one).</summary>
    public int EstimateTiles(RestoreSettings settings, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Task is RestoreTaskKind.Faces || SuperResolutionModel(settings) is not { } model)
        {
            return 1;
        }

        int tile = settings.TileSize ?? catalog.EffectiveTileSize(model);
        return tile <= 0 ? 1 : (int)Math.Min(int.MaxValue, (long)Math.Ceiling((double)width / tile) * (long)Math.Ceiling((double)height / tile));
    }

    /// <summary>The model name a request resolves to (its own, else the default).</summary>
    public string ModelName(RestoreSettings settings) =>
        string.IsNullOrWhiteSpace(settings?.Model) ? catalog.DefaultModelName : settings.Model.Trim();

    private ModelDescriptor? SuperResolutionModel(RestoreSettings settings)
    {
        string name = ModelName(settings);
        return catalog.List()
            .Select(s => s.Descriptor)
            .FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase) && d.Task == ModelTaskKind.SuperResolution);
    }
}
