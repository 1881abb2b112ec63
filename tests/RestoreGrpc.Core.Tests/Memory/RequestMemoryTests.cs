using RestoreGrpc.Core.Memory;
using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Tests.Memory;

public sealed class RequestMemoryTests
{
    [Fact]
    public void A_512_square_png_at_x4_in_one_tile_counts_input_canvas_encoded_output_and_pooled_tensors()
    {
        TilePlan plan = TilePlan.Create(512, 512, new TilePlanOptions(512, 0, 4));
        long expected =
            (512L * 512 * 4) // decoded RGBA
            + (2048L * 2048 * 4) // model output canvas
            + (2048L * 2048 * 3) // encoded output, at worst its raw RGB size
            + (4L * (1 << 20)) // input tensor 3×512² floats, pooled as 2^20
            + (4L * (1 << 24)); // output tensor 3×2048² floats, pooled as 2^24
        Assert.Equal(expected, RequestMemory.Restoration(512, 512, 8, 2048, 2048, plan, tilesInFlight: 2, faces: false));
    }

    [Fact]
    public void Tensors_count_the_tiles_in_flight_a_resize_and_faces_add_their_buffers_and_16_bit_doubles_pixels()
    {
        TilePlan plan = TilePlan.Create(1000, 1000, new TilePlanOptions(256, 16, 2));
        long tile = RequestMemory.TileTensorBytes(plan);
        long one = RequestMemory.Restoration(1000, 1000, 8, 2000, 2000, plan, tilesInFlight: 1, faces: false);
        long two = RequestMemory.Restoration(1000, 1000, 8, 2000, 2000, plan, tilesInFlight: 2, faces: false);
        Assert.Equal(tile, two - one);

        long resized = RequestMemory.Restoration(1000, 1000, 8, 1500, 1500, plan, tilesInFlight: 1, faces: false);
        Assert.Equal((1500L * 1500 * 4) - ((2000L * 2000 - 1500L * 1500) * 3), resized - one);

        long faces = RequestMemory.Restoration(1000, 1000, 8, 2000, 2000, plan, tilesInFlight: 1, faces: true);
        Assert.Equal(1000L * 1000 * 3, faces - one);

        long deep = RequestMemory.Restoration(1000, 1000, 16, 2000, 2000, plan, tilesInFlight: 1, faces: false);
        Assert.Equal(((1000L * 1000) + (2000L * 2000)) * 4 + (2000L * 2000 * 4), deep - one);
    }

    [Fact]
    public void Faces_only_holds_a_copy_of_the_input_as_its_canvas()
    {
        Assert.Equal(
            (100L * 100 * 4 * 2) + (100L * 100 * 3) + (100L * 100 * 3),
            RequestMemory.Restoration(100, 100, 8, 100, 100, plan: null, tilesInFlight: 2, faces: true));
    }

    [Fact]
    public void A_stream_holds_its_credit_of_windows_tensors_and_output_tiles_whatever_the_image_size()
    {
        TilePlan small = TilePlan.Create(2048, 2048, new TilePlanOptions(512, 16, 4));
        TilePlan large = TilePlan.Create(32768, 32768, new TilePlanOptions(512, 16, 4));
        long expected = (4 * ((544L * 544 * 3) + (2048L * 2048 * 3) + RequestMemory.TileTensorBytes(small))) + (1 << 20);
        Assert.Equal(expected, RequestMemory.Stream(small, credit: 4, bytesPerPixel: 3, partBytes: 1 << 20));
        Assert.Equal(expected, RequestMemory.Stream(large, credit: 4, bytesPerPixel: 3, partBytes: 1 << 20));
    }
}
