using BitMiracle.LibTiff.Classic;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.IntegrationTests.Streaming;

/// <summary>Reads an 8-bit RGB tiled TIFF back (ImageSharp 2 reads no tiled TIFF).</summary>
internal static class TiffFile
{
    public static Image<Rgb24> ReadTiledRgb24(string path)
    {
        using Tiff tiff = Tiff.Open(path, "r") ?? throw new IOException($"cannot open {path}");
        int width = tiff.GetField(TiffTag.IMAGEWIDTH)[0].ToInt();
        int height = tiff.GetField(TiffTag.IMAGELENGTH)[0].ToInt();
        int tileWidth = tiff.GetField(TiffTag.TILEWIDTH)[0].ToInt();
        int tileHeight = tiff.GetField(TiffTag.TILELENGTH)[0].ToInt();
        var image = new Image<Rgb24>(width, height);
        byte[] tile = new byte[tiff.TileSize()];
        for (int ty = 0; ty < height; ty += tileHeight)
        {
            for (int tx = 0; tx < width; tx += tileWidth)
            {
                tiff.ReadTile(tile, 0, tx, ty, 0, 0);
                for (int y = ty; y < Math.Min(height, ty + tileHeight); y++)
                {
                    for (int x = tx; x < Math.Min(width, tx + tileWidth); x++)
                    {
                        int i = (((y - ty) * tileWidth) + (x - tx)) * 3;
                        image[x, y] = new Rgb24(tile[i], tile[i + 1], tile[i + 2]);
                    }
                }
            }
        }

        return image;
    }
}
