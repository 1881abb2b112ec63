using RestoreGrpc.Cli.Output;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Cli.Tests.Output;

public sealed class ModelTableTests
{
    [Fact]
    public void One_row_per_model_with_every_column()
    {
        using var writer = new StringWriter();
        var console = new CliConsole(writer, TextWriter.Null, interactive: false);

        console.Ansi.Write(ModelTable.Build(
        [
            new ModelInfo
            {
                Name = "bicubic[builtin]",
                Task = ModelTask.SuperResolution,
                Scale = 2,
                State = ModelState.Ready,
                ExecutionProvider = ExecutionProvider.Builtin,
                Description = "Resampler",
                Builtin = true,
            },
            new ModelInfo { Name = "x4", Task = ModelTask.SuperResolution, Scale = 4, State = ModelState.Loading, TileSize = 512, TileMargin = 32 },
        ],
        defaultModel: "x4"));

        string text = writer.ToString();
        foreach (string expected in new[] { "Name", "Task", "Scale", "State", "Provider", "Default", "Tile / margin", "Description", "bicubic[builtin]", "x2", "ready", "builtin", "Resampler", "x4", "loading", "yes", "512 / 32" })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(ModelTask.SuperResolution, "super-resolution")]
    [InlineData(ModelTask.FaceDetection, "face-detection")]
    [InlineData(ModelTask.Unspecified, "unspecified")]
    public void Enum_values_read_as_kebab_case(ModelTask task, string expected) => Assert.Equal(expected, EnumText.Kebab(task));
}
