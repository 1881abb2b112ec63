using RestoreGrpc.Cli.Files;

namespace RestoreGrpc.Cli.Tests.Files;

public sealed class InputDiscoveryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Folder_contributes_supported_images_at_its_top_level_only()
    {
        string folder = _temp.CreateDirectory("in");
        _temp.CreateFile("in/b.JPG");
        _temp.CreateFile("in/a.png");
        _temp.CreateFile("in/notes.txt");
        _temp.CreateFile("in/sub/c.webp");

        var result = InputDiscovery.Discover([folder], recursive: false);

        Assert.Equal([_temp.Combine("in/a.png"), _temp.Combine("in/b.JPG")], result.Files.Select(f => f.FullPath));
        Assert.All(result.Files, f => Assert.Equal(string.Empty, f.RelativeDirectory));
        Assert.Empty(result.Missing);
        Assert.Empty(result.Unsupported);
    }

    [Fact]
    public void Recursive_descends_and_records_relative_folders()
    {
        string folder = _temp.CreateDirectory("in");
        _temp.CreateFile("in/a.png");
        _temp.CreateFile("in/x/a.png");
        _temp.CreateFile("in/x/y/z.tiff");

        var result = InputDiscovery.Discover([folder], recursive: true);

        Assert.Equal(
            [
                (_temp.Combine("in/a.png"), string.Empty),
                (_temp.Combine("in/x/a.png"), "x"),
                (_temp.Combine("in/x/y/z.tiff"), Path.Combine("x", "y")),
            ],
            result.Files.Select(f => (f.FullPath, f.RelativeDirectory)));
    }

    [Fact]
    public void Files_are_taken_as_given_and_duplicates_dropped()
    {
        string a = _temp.CreateFile("in/a.png");
        _temp.CreateFile("in/b.gif");

        var result = InputDiscovery.Discover([a, _temp.Combine("in"), a], recursive: false);

        Assert.Equal([a, _temp.Combine("in/b.gif")], result.Files.Select(f => f.FullPath));
    }

    [Fact]
    public void Missing_paths_and_unsupported_files_are_reported()
    {
        string text = _temp.CreateFile("notes.txt");
        string missing = _temp.Combine("nope.png");

        var result = InputDiscovery.Discover([text, missing], recursive: false);

        Assert.Empty(result.Files);
        Assert.Equal([missing], result.Missing);
        Assert.Equal([text], result.Unsupported);
    }

    [Fact]
    public void Output_folder_inside_an_input_folder_is_skipped()
    {
        _temp.CreateFile("in/a.png");
        _temp.CreateFile("in/restored/a_x4.png");

        var result = InputDiscovery.Discover([_temp.Combine("in")], recursive: true, excludeDirectory: _temp.Combine("in/restored"));

        Assert.Equal([_temp.Combine("in/a.png")], result.Files.Select(f => f.FullPath));
    }
}
