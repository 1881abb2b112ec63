using RestoreGrpc.Contracts.V1;
using Spectre.Console;

namespace RestoreGrpc.Cli.Output;

/// <summary>
/// The model catalog as a table, and below it one plain line per model that is not ready saying why: a state's
/// detail often holds an absolute path, which a table cell would break mid-word.
/// </summary>
internal static class ModelTable
{
    public static Table Build(IEnumerable<ModelInfo> models, string defaultModel)
    {
        ArgumentNullException.ThrowIfNull(models);
        var table = new Table()
            .AddColumn("Name")
            .AddColumn("Task")
            .AddColumn(new TableColumn("Scale").RightAligned())
            .AddColumn("State")
            .AddColumn("Provider")
            .AddColumn("Default")
            .AddColumn(new TableColumn("Tile / margin").RightAligned())
            .AddColumn("Description");

        foreach (ModelInfo model in models)
        {
            table.AddRow(
                Markup.Escape(model.Name),
                EnumText.Kebab(model.Task),
                $"x{model.Scale}",
                StateMarkup(model.State),
                ProviderText(model.ExecutionProvider),
                model.Name == defaultModel ? "yes" : string.Empty,
                model.HasTileSize ? $"{model.TileSize} / {model.TileMargin}" : "-",
                Markup.Escape(model.Description));
        }

        return table;
    }

    private static string ProviderText(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cuda => "CUDA",
        ExecutionProvider.Cpu => "CPU",
        ExecutionProvider.Builtin => "builtin",
        _ => "-",
    };

    /// <summary><c>name (state): detail</c> for each model that is not ready and says why.</summary>
    public static IEnumerable<string> Notes(IEnumerable<ModelInfo> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        return models
            .Where(m => m.State != ModelState.Ready && !string.IsNullOrWhiteSpace(m.StateDetail))
            .Select(m => $"{m.Name} ({EnumText.Kebab(m.State)}): {m.StateDetail}");
    }

    private static string StateMarkup(ModelState state)
    {
        string text = EnumText.Kebab(state);
        return state switch
        {
            ModelState.Ready => $"[green]{text}[/]",
            ModelState.Failed or ModelState.Missing => $"[red]{text}[/]",
            ModelState.Downloading or ModelState.Loading => $"[yellow]{text}[/]",
            _ => text,
        };
    }
}
