using RestoreGrpc.Core.Models;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Streaming;

/// <summary>
/// A tile whose model output is ready to send. It keeps the output tensor (not converted pixels) until it has been
/// sent in parts, bands of rows small enough for one message each; disposing it returns the tensor to the pool.
/// </summary>
public sealed class CompletedTile : IDisposable
{
    private readonly TilePlan _plan;
    private readonly StreamPixelFormat _format;
    private readonly TensorNormalization _normalization;
    private readonly int _rowsPerPart;
    private readonly Action<float[]> _release;
    private float[]? _output;

    internal CompletedTile(Tile tile, TilePlan plan, StreamPixelFormat format, TensorNormalization normalization, int partBytes, float[] output, Action<float[]> release)
    {
        Tile = tile;
        _plan = plan;
        _format = format;
        _normalization = normalization;
        _output = output;
        _release = release;
        OutputRect = tile.OutputCore(plan.Scale);
        _rowsPerPart = Math.Max(1, partBytes / Math.Max(1, OutputRect.Width * format.BytesPerPixel));
    }

    public Tile Tile { get; }

    /// <summary>Output pixels this tile owns.</summary>
    public PixelRect OutputRect { get; }

    public int PartCount => (OutputRect.Height + _rowsPerPart - 1) / _rowsPerPart;

    /// <summary>Bytes of the largest part.</summary>
    public int MaxPartBytes => Math.Min(_rowsPerPart, OutputRect.Height) * OutputRect.Width * _format.BytesPerPixel;

    /// <summary>Converts one part to raw pixels.</summary>
    /// <returns>Where the part goes in the output; its bytes are <c>Area · bytes per pixel</c> of <paramref name="destination"/>.</returns>
    public PixelRect WritePart(int part, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(part);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(part, PartCount);
        float[] output = _output ?? throw new ObjectDisposedException(nameof(CompletedTile));
        int top = part * _rowsPerPart;
        int rows = Math.Min(_rowsPerPart, OutputRect.Height - top);
        PixelRect core = Tile.CoreInWindow.Scale(_plan.Scale);
        var region = new PixelRect(core.X, core.Y + top, core.Width, rows);
        RawTileCodec.FromTensor(output, _plan.WindowWidth * _plan.Scale, _plan.WindowHeight * _plan.Scale, region, _format, _normalization, destination);
        return new PixelRect(OutputRect.X, OutputRect.Y + top, OutputRect.Width, rows);
    }

    public void Dispose()
    {
        float[]? output = Interlocked.Exchange(ref _output, null);
        if (output is not null)
        {
            _release(output);
        }
    }
}
