using RestoreGrpc.Cli.Files;

namespace RestoreGrpc.Cli.Tests.Files;

public sealed class OutputNamerTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "namer");
    private static readonly string Out = Path.Combine(Root, "out");

    private static InputFile Input(string relativePath, string relativeDirectory = "") =>
        new(Path.Combine(Root, "in", relativePath), relativeDirectory);

    [Fact]
    public void Default_name_is_stem_and_scale_with_the_output_extension()
    {
        InputFile a = Input("photo.jpg");
        var namer = new OutputNamer(Out, [a]);

        Assert.Equal(Path.Combine(Out, "photo_x4.png"), namer.Reserve(a, 4, ".png"));
    }

    [Theory]
    [InlineData(2.0, "a_x2.webp")]
    [InlineData(3.5, "a_x3.5.webp")]
    [InlineData(4.0 / 3, "a_x1.333.webp")]
    [InlineData(null, "a_restored.webp")]
    [InlineData(0.0, "a_restored.webp")]
    public void Scale_is_written_compactly(double? scale, string expected)
    {
        InputFile a = Input("a.png");
        var namer = new OutputNamer(Out, [a]);

        Assert.Equal(Path.Combine(Out, expected), namer.Reserve(a, scale, "webp"));
    }

    [Fact]
    public void Timestamp_names_use_the_run_start_time()
    {
        InputFile a = Input("a.png");
        var namer = new OutputNamer(Out, [a], new DateTime(2025, 3, 7, 14, 5, 9));

        Assert.Equal(Path.Combine(Out, "a_20250307-140509.png"), namer.Reserve(a, 4, ".png"));
    }

    [Fact]
    public void Same_stem_with_different_extensions_gets_the_source_extension()
    {
        InputFile png = Input("a.png");
        InputFile jpg = Input("a.jpg");
        InputFile other = Input("b.png");
        var namer = new OutputNamer(Out, [png, jpg, other]);

        // Finishing order does not matter: stems are settled up front.
        Assert.Equal(Path.Combine(Out, "a_jpg_x2.png"), namer.Reserve(jpg, 2, ".png"));
        Assert.Equal(Path.Combine(Out, "a_png_x2.png"), namer.Reserve(png, 2, ".png"));
        Assert.Equal(Path.Combine(Out, "b_x2.png"), namer.Reserve(other, 2, ".png"));
    }

    [Fact]
    public void Same_name_from_two_folders_gets_a_counter_in_input_order()
    {
        var first = new InputFile(Path.Combine(Root, "one", "a.png"), string.Empty);
        var second = new InputFile(Path.Combine(Root, "two", "a.png"), string.Empty);
        var namer = new OutputNamer(Out, [first, second]);

        Assert.Equal(Path.Combine(Out, "a_2_x4.png"), namer.Reserve(second, 4, ".png"));
        Assert.Equal(Path.Combine(Out, "a_x4.png"), namer.Reserve(first, 4, ".png"));
    }

    [Fact]
    public void Generated_stem_does_not_take_a_real_stem()
    {
        InputFile png = Input("a.png");
        InputFile jpg = Input("a.jpg");
        InputFile real = Input("a_png.bmp");
        var namer = new OutputNamer(Out, [png, jpg, real]);

        Assert.Equal("a_png", namer.StemFor(real));
        Assert.Equal("a_png_2", namer.StemFor(png));
        Assert.Equal("a_jpg", namer.StemFor(jpg));
    }

    [Fact]
    public void Subfolders_are_mirrored_so_equal_names_do_not_collide()
    {
        InputFile top = Input("a.png");
        InputFile nested = Input(Path.Combine("x", "y", "a.png"), Path.Combine("x", "y"));
        var namer = new OutputNamer(Out, [top, nested]);

        Assert.Equal(Path.Combine(Out, "a_x4.png"), namer.Reserve(top, 4, ".png"));
        Assert.Equal(Path.Combine(Out, "x", "y", "a_x4.png"), namer.Reserve(nested, 4, ".png"));
    }

    [Fact]
    public void Never_returns_an_input_path()
    {
        // Writing into the input folder where a file already carries the would-be output name.
        string folder = Path.Combine(Root, "in");
        InputFile a = Input("a.png");
        InputFile clash = Input("a_x2.png");
        var namer = new OutputNamer(folder, [a, clash]);

        Assert.Equal(Path.Combine(folder, "a_x2_2.png"), namer.Reserve(a, 2, ".png"));
    }

    [Fact]
    public void Never_hands_out_a_path_twice()
    {
        InputFile a = Input("a.png");
        var namer = new OutputNamer(Out, [a]);

        string first = namer.Reserve(a, 2, ".png");
        string second = namer.Reserve(a, 2, ".png");

        Assert.NotEqual(first, second);
        Assert.Equal(Path.Combine(Out, "a_x2_2.png"), second);
    }

    [Fact]
    public void Concurrent_reservations_are_unique()
    {
        InputFile[] inputs = Enumerable.Range(0, 200).Select(i => new InputFile(Path.Combine(Root, $"d{i}", "a.png"), string.Empty)).ToArray();
        var namer = new OutputNamer(Out, inputs);

        string[] paths = new string[inputs.Length];
        Parallel.For(0, inputs.Length, i => paths[i] = namer.Reserve(inputs[i], 4, ".png"));

        Assert.Equal(inputs.Length, paths.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }
}
