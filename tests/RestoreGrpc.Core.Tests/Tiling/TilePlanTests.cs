using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Tests.Tiling;

public sealed class TilePlanTests
{
    public static TheoryData<int, int, int, int, int, bool> Shapes => new()
    {
        { 512, 512, 512, 34, 4, false },
        { 868, 600, 128, 34, 4, false },
        { 1000, 37, 64, 10, 2, false },
        { 5, 3, 512, 34, 4, false },
        { 5, 3, 64, 34, 4, true },
        { 1, 1, 16, 0, 3, false },
        { 4096, 4096, 500, 24, 1, false },
        { 700, 300, 256, 34, 4, true },
        { 257, 513, 256, 0, 2, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_output_pixel_is_written_by_exactly_one_tile(int width, int height, int tile, int margin, int scale, bool pad)
    {
        var plan = TilePlan.Create(width, height, new TilePlanOptions(tile, margin, scale, pad));
        int[] coverage = new int[plan.OutputWidth * plan.OutputHeight];
        foreach (Tile t in plan.Tiles)
        {
            PixelRect output = t.OutputCore(scale);
            for (int y = output.Y; y < output.Bottom; y++)
            {
                for (int x = output.X; x < output.Right; x++)
                {
                    coverage[(y * plan.OutputWidth) + x]++;
                }
            }
        }

        Assert.Equal(width * scale, plan.OutputWidth);
        Assert.Equal(height * scale, plan.OutputHeight);
        Assert.All(coverage, c => Assert.Equal(1, c));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_core_sees_its_margin_or_the_true_image_border(int width, int height, int tile, int margin, int scale, bool pad)
    {
        var plan = TilePlan.Create(width, height, new TilePlanOptions(tile, margin, scale, pad));
        foreach (Tile t in plan.Tiles)
        {
            Assert.Equal(plan.WindowWidth, t.Window.Width);
            Assert.Equal(plan.WindowHeight, t.Window.Height);
            Assert.True(t.Core.Width <= Math.Max(tile, width) && t.Core.Height <= Math.Max(tile, height));
            Assert.True(t.Window.Contains(t.Core), $"window {t.Window} must contain core {t.Core}");
            Assert.Equal(t.Core.X - t.Window.X, t.CoreInWindow.X);
            Assert.Equal(t.Core.Y - t.Window.Y, t.CoreInWindow.Y);

            // Windows never start outside the image; they end outside it only by the plan's padding.
            Assert.True(t.Window.X >= 0 && t.Window.Y >= 0);
            Assert.True(t.Window.X + plan.ContentWidth <= width && t.Window.Y + plan.ContentHeight <= height);

            Assert.True(t.Window.X == 0 || t.Core.X - t.Window.X >= margin, $"left context of {t.Core} in {t.Window}");
            Assert.True(t.Window.Y == 0 || t.Core.Y - t.Window.Y >= margin, $"top context of {t.Core} in {t.Window}");
            Assert.True(t.Window.X + plan.ContentWidth == width || t.Window.Right - t.Core.Right >= margin, $"right context of {t.Core} in {t.Window}");
            Assert.True(t.Window.Y + plan.ContentHeight == height || t.Window.Bottom - t.Core.Bottom >= margin, $"bottom context of {t.Core} in {t.Window}");
        }
    }

    [Fact]
    public void An_image_that_fits_one_window_is_one_tile_at_its_own_size()
    {
        var plan = TilePlan.Create(512, 512, new TilePlanOptions(512, 34, 4));
        Assert.Equal(1, plan.Count);
        Assert.Equal((512, 512), (plan.WindowWidth, plan.WindowHeight));
        Assert.Equal(new PixelRect(0, 0, 512, 512), plan[0].Core);
    }

    [Fact]
    public void Padding_to_full_shape_keeps_the_content_and_pads_right_and_bottom()
    {
        var plan = TilePlan.Create(5, 3, new TilePlanOptions(64, 8, 4, PadToFullShape: true));
        Assert.Equal(1, plan.Count);
        Assert.Equal((80, 80), (plan.WindowWidth, plan.WindowHeight));
        Assert.Equal((5, 3), (plan.ContentWidth, plan.ContentHeight));
        Assert.Equal(new PixelRect(0, 0, 5, 3), plan[0].Core);
    }

    [Fact]
    public void Cores_split_evenly_and_tiles_are_row_major()
    {
        var plan = TilePlan.Create(1000, 300, new TilePlanOptions(256, 16, 1));
        Assert.Equal((4, 2), (plan.Columns, plan.Rows));
        Assert.Equal([250, 250, 250, 250], plan.Tiles.Take(4).Select(t => t.Core.Width));
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], plan.Tiles.Select(t => t.Row));
        Assert.Equal(288, plan.WindowWidth);
        Assert.Equal(288L * 288 * 8, plan.WindowPixels);
    }

    [Theory]
    [InlineData(0, 10, 16, 0, 1)]
    [InlineData(10, 10, 0, 0, 1)]
    [InlineData(10, 10, 16, -1, 1)]
    [InlineData(10, 10, 16, 0, 0)]
    public void Invalid_geometry_is_rejected(int width, int height, int tile, int margin, int scale) =>
        Assert.ThrowsAny<ArgumentException>(() => TilePlan.Create(width, height, new TilePlanOptions(tile, margin, scale)));
}
