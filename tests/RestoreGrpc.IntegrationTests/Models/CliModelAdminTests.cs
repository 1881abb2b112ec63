using RestoreGrpc.Cli;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Models;

/// <summary><c>restore models load|unload|reload|default NAME</c> against a real server.</summary>
public sealed class CliModelAdminTests : IDisposable
{
    private readonly TempModelFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_models_subcommands_manage_models_and_report_failures()
    {
        await using LoopbackServer server = await ModelServer.StartAsync(_folder);
        string address = server.Address.ToString();

        (int exit, string stdout, _) = await RunAsync("models", "unload", "x2", "--server", address);
        Assert.Equal((0, "x2: UNLOADED"), (exit, stdout.Split(" (")[0].Trim()));
        Assert.Equal(ModelState.Unloaded, (await server.Client.ListModelsAsync(Ct)).Models.Single(m => m.Name == "x2").State);

        (exit, stdout, _) = await RunAsync("models", "load", "x2", "--server", address);
        Assert.Equal(0, exit);
        Assert.StartsWith("x2: READY", stdout, StringComparison.Ordinal);

        (exit, stdout, _) = await RunAsync("models", "default", "x2", "--server", address);
        Assert.Equal((0, "Default model: x2"), (exit, stdout.Trim()));
        Assert.Equal("x2", (await server.Client.ListModelsAsync(Ct)).DefaultModel);

        _folder.Truncate("anime.onnx", 2048);
        (exit, _, string stderr) = await RunAsync("models", "reload", "anime", "--server", address);
        Assert.Equal(1, exit);
        Assert.Contains("anime: FAILED", stderr, StringComparison.Ordinal);
        Assert.Contains("keeps serving", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await RunAsync("models", "reload", "nope", "--server", address);
        Assert.NotEqual(0, exit);
        Assert.Contains("nope", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await RestoreCli.RunAsync(args, stdout, stderr, Ct);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
