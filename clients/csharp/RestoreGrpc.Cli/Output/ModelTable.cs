using RestoreGrpc.Contracts.V1;
using Spectre.Console;

namespace RestoreGrpc.Cli.Output;

/// <summary>The model catalog as a table.</summary>
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
            string description = model.Description;
            if (model.State != ModelState.Ready && !string.IsNullOrWhiteSpace(model.StateDetail))
            {
                description = string.IsNullOrWhiteSpace(description)
                    ? model.StateDetail
                    : $"{description} ({model.StateDetail})";
            }

            table.AddRow(
                Markup.Escape(model.Name),
                EnumText.Kebab(model.Task),
                $"x{model.Scale}",
                StateMarkup(model.State),
                ProviderText(model.ExecutionProvider),
                model.Name == defaultModel ? "yes" : string.Empty,
                model.HasTileSize ? $"{model.TileSize} / {model.TileMargin}" : "-",
                Markup.Escape(description));
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
