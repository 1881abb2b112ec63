using Microsoft.Extensions.Configuration;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Models;

/// <summary>The catalog follows its configuration file (reloadOnChange, through the options monitor): entries added
/// are loaded, removed ones leave, changed ones are reloaded.</summary>
public sealed class CatalogConfigurationChangeTests : IDisposable
{
    private readonly TempModelFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Editing_the_configuration_file_adds_removes_and_reloads_models()
    {
        string config = Path.Combine(_folder.Path, "catalog.json");
        await File.WriteAllTextAsync(config, Catalog(("cfg-a", "x2.onnx", "first"), ("cfg-b", "x2.onnx", "stays until removed")), Ct);
        await using LoopbackServer server = await ModelServer.StartAsync(
            _folder,
            builder => builder.Configuration.AddJsonFile(config, optional: false, reloadOnChange: true));
        Assert.Equal(ModelState.Ready, (await server.Client.LoadModelAsync("cfg-a", Ct)).State);

        await File.WriteAllTextAsync(config, Catalog(("cfg-a", "x2.onnx", "second"), ("cfg-c", "anime.onnx", "added")), Ct);

        IList<ModelInfo> models = [];
        for (int i = 0; i < 300; i++)
        {
            models = (await server.Client.ListModelsAsync(Ct)).Models;
            if (models.Any(m => m.Name == "cfg-c" && m.State == ModelState.Ready)
                && models.All(m => m.Name != "cfg-b")
                && models.Any(m => m.Name == "cfg-a" && m.Description == "second" && m.State == ModelState.Ready))
            {
                break;
            }

            await Task.Delay(100, Ct);
        }

        Assert.DoesNotContain(models, m => m.Name == "cfg-b");
        Assert.Equal(ModelState.Ready, models.Single(m => m.Name == "cfg-c").State);
        Assert.Equal(4, models.Single(m => m.Name == "cfg-c").Scale);
        Assert.Equal("second", models.Single(m => m.Name == "cfg-a").Description);
        Assert.Equal(96, (await server.Client.RestoreAsync(ModelServer.SmallImage(), new Client.RestoreOptions { Model = "cfg-c" }, Ct)).Output.Width);
    }

    private static string Catalog(params (string Name, string File, string Description)[] entries)
    {
        var models = entries.Select((e, i) => new Dictionary<string, object>
        {
            ["Name"] = e.Name,
            ["File"] = e.File,
            ["Scale"] = e.File == "x2.onnx" ? 2 : 4,
            ["TileMargin"] = 18,
            ["Description"] = e.Description,
        }).ToList();
        // Indexes 30.. keep clear of the built-in catalog's and the test server's entries.
        var indexed = models.Select((m, i) => (Key: (30 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), Value: m)).ToDictionary(p => p.Key, p => p.Value);
        return System.Text.Json.JsonSerializer.Serialize(new { Restore = new { Models = new { Entries = indexed } } });
    }
}
