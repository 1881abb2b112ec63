using RestoreGrpc.Tiling;

namespace RestoreGrpc.Core.Tests.Tiling;

public sealed class ReflectPaddingTests
{
    [Theory]
    // numpy.pad(range(5), 4, mode="reflect") == [4 3 2 1 | 0 1 2 3 4 | 3 2 1 0]
    [InlineData(-4, 4)]
    [InlineData(-3, 3)]
    [InlineData(-1, 1)]
    [InlineData(0, 0)]
    [InlineData(4, 4)]
    [InlineData(5, 3)]
    [InlineData(8, 0)]
    // Beyond one reflection it keeps bouncing: period 2·(5−1) = 8.
    [InlineData(9, 1)]
    [InlineData(12, 4)]
    [InlineData(13, 3)]
    [InlineData(-9, 1)]
    public void Maps_like_numpy_reflect(int index, int expected) => Assert.Equal(expected, ReflectPadding.Map(index, 5));

    [Fact]
    public void A_single_pixel_axis_always_maps_to_it() =>
        Assert.All(Enumerable.Range(-10, 30), i => Assert.Equal(0, ReflectPadding.Map(i, 1)));

    [Fact]
    public void Every_mapped_index_is_inside_the_axis() =>
        Assert.All(Enumerable.Range(-100, 300), i => Assert.InRange(ReflectPadding.Map(i, 7), 0, 6));
}
