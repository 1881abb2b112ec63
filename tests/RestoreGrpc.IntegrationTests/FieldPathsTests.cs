using RestoreGrpc.Core.Errors;
using RestoreGrpc.Server.Mapping;

namespace RestoreGrpc.IntegrationTests;

public sealed class FieldPathsTests
{
    [Fact]
    public void Every_field_core_names_has_its_own_v1_path()
    {
        string[] paths = [.. Enum.GetValues<RequestField>().Select(FieldPaths.Of)];
        Assert.Equal(paths.Length, paths.Distinct(StringComparer.Ordinal).Count());
        Assert.All(paths, path => Assert.Matches("^[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*$", path));
        Assert.Equal("options.tiling.tile_size", FieldPaths.Of(RequestField.TileSize));
        Assert.Equal("header.width", FieldPaths.Of(RequestField.StreamWidth));
    }
}
