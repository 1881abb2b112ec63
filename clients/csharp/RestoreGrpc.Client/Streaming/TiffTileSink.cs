using System.Buffers;
using BitMiracle.LibTiff.Classic;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Client.Streaming;

/// <summary>
/// Writes the output progressively to a tiled BigTIFF (Deflate with the horizontal predictor) through LibTiff.NET,
/// so an output of any size never sits in memory: each TIFF tile is encoded as soon as the output tiles covering
/// it have arrived. Only TIFF tiles straddling output tiles not yet received are held (about one band of them when
/// tiles arrive roughly in order).
/// </summary>
public sealed class TiffTileSink : ITileSink, IDisposable
{
    private readonly string _path;
    private readonly int _tileEdge;
    private readonly Dictionary<int, PartialTile> _partial = [];
    private Tiff? _tiff;
    private int _width;
    private int _height;
    private int _bytesPerPixel;

    /// <param name="path">Output file (created or replaced).</param>
    /// <param name="tileEdge">TIFF tile edge, a multiple of 16.</param>
    public TiffTileSink(string path, int tileEdge = 256)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (tileEdge < 16 || tileEdge % 16 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tileEdge), tileEdge, "TIFF tiles are multiples of 16");
        }

        _path = path;
        _tileEdge = tileEdge;
    }

    /// <summary>TIFF tiles waiting for the rest of their pixels.</summary>
    public int PendingTiles => _partial.Count;

    public void Start(int width, int height, RawPixelFormat format)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(_path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        _width = width;
        _height = height;
        _bytesPerPixel = format.BytesPerPixel;
        // "8": BigTIFF, so outputs past 4 GiB work.
        _tiff = Tiff.Open(_path, "w8") ?? throw new IOException($"LibTiff could not create {_path}");
        _tiff.SetField(TiffTag.IMAGEWIDTH, width);
        _tiff.SetField(TiffTag.IMAGELENGTH, height);
        _tiff.SetField(TiffTag.SAMPLESPERPIXEL, format.Channels);
        _tiff.SetField(TiffTag.BITSPERSAMPLE, format.BitDepth);
        _tiff.SetField(TiffTag.ORIENTATION, Orientation.TOPLEFT);
        _tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
        _tiff.SetField(TiffTag.PHOTOMETRIC, format.Channels >= 3 ? Photometric.RGB : Photometric.MINISBLACK);
        _tiff.SetField(TiffTag.COMPRESSION, Compression.ADOBE_DEFLATE);
        _tiff.SetField(TiffTag.PREDICTOR, Predictor.HORIZONTAL);
        _tiff.SetField(TiffTag.TILEWIDTH, _tileEdge);
        _tiff.SetField(TiffTag.TILELENGTH, _tileEdge);
    }

    public void Write(PixelRect rect, ReadOnlySpan<byte> pixels)
    {
        Tiff tiff = _tiff ?? throw new InvalidOperationException("Start was not called");
        int tileBytes = _tileEdge * _tileEdge * _bytesPerPixel;
        for (int tileY = rect.Y / _tileEdge * _tileEdge; tileY < rect.Bottom; tileY += _tileEdge)
        {
            for (int tileX = rect.X / _tileEdge * _tileEdge; tileX < rect.Right; tileX += _tileEdge)
            {
                int number = tiff.ComputeTile(tileX, tileY, 0, 0);
                if (!_partial.TryGetValue(number, out PartialTile? partial))
                {
                    long area = (long)Math.Min(_tileEdge, _width - tileX) * Math.Min(_tileEdge, _height - tileY);
                    partial = new PartialTile(ArrayPool<byte>.Shared.Rent(tileBytes), area);
                    Array.Clear(partial.Pixels, 0, tileBytes);
                    _partial[number] = partial;
                }

                // The overlap of this output tile and this TIFF tile.
                int left = Math.Max(rect.X, tileX);
                int top = Math.Max(rect.Y, tileY);
                int right = Math.Min(rect.Right, tileX + _tileEdge);
                int bottom = Math.Min(rect.Bottom, tileY + _tileEdge);
                int rowBytes = (right - left) * _bytesPerPixel;
                for (int y = top; y < bottom; y++)
                {
                    pixels.Slice((((y - rect.Y) * rect.Width) + (left - rect.X)) * _bytesPerPixel, rowBytes)
                        .CopyTo(partial.Pixels.AsSpan((((y - tileY) * _tileEdge) + (left - tileX)) * _bytesPerPixel, rowBytes));
                }

                partial.Missing -= (long)(right - left) * (bottom - top);
                if (partial.Missing == 0)
                {
                    if (tiff.WriteEncodedTile(number, partial.Pixels, tileBytes) < 0)
                    {
                        throw new IOException($"LibTiff failed to write tile {number} of {_path}");
                    }

                    _partial.Remove(number);
                    ArrayPool<byte>.Shared.Return(partial.Pixels);
                }
            }
        }
    }

    public void Complete()
    {
        Tiff tiff = _tiff ?? throw new InvalidOperationException("Start was not called");
        if (_partial.Count > 0)
        {
            throw new InvalidOperationException($"{_partial.Count} TIFF tiles of {_path} are incomplete: some output tiles never arrived");
        }

        tiff.WriteDirectory();
        tiff.Dispose();
        _tiff = null;
    }

    public void Dispose()
    {
        _tiff?.Dispose();
        _tiff = null;
        foreach (PartialTile partial in _partial.Values)
        {
            ArrayPool<byte>.Shared.Return(partial.Pixels);
        }

        _partial.Clear();
    }

    private sealed class PartialTile(byte[] pixels, long missing)
    {
        public byte[] Pixels { get; } = pixels;

        public long Missing { get; set; } = missing;
    }
}
