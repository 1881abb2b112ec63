using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.TestSupport;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace RestoreGrpc.IntegrationTests;

/// <summary>Where the server looks for model files, and what it says at start-up about them.</summary>
public sealed class ModelFolderTests
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Launchers => ["dotnet run", "built binary"];

    [Theory]
    [MemberData(nameof(Launchers))]
    public async Task A_relative_model_folder_counts_from_where_the_server_was_started(string launcher)
    {
        using var start = new TempDirectory();
        start.CreateDirectory("my-models");
        string expected = Path.Combine(start.Path, "my-models");
        string[] settings = ["--urls", "http://127.0.0.1:0", "--Restore:Models:Directory=my-models", "--Restore:Models:ExecutionProvider=Cpu"];
        string server = Checkout.Combine($"src/RestoreGrpc.Server/bin/{Checkout.Configuration}/net10.0/RestoreGrpc.Server.dll");
        string[] arguments = launcher == "dotnet run"
            ? ["run", "--no-build", "-c", Checkout.Configuration, "--project", Checkout.Combine("src/RestoreGrpc.Server/RestoreGrpc.Server.csproj"), "--", .. settings]
            : [server, .. settings];

        using ChildProcess process = ChildProcess.Start("dotnet", arguments, start.Path);
        string folder = await process.WaitForLineAsync(l => l.Contains("[2001]", StringComparison.Ordinal), StartLimit);
        string warning = await process.WaitForLineAsync(l => l.Contains("[2004]", StringComparison.Ordinal), StartLimit);

        Assert.Contains($"Model folder {expected};", folder, StringComparison.Ordinal);
        Assert.Contains("warn:", warning, StringComparison.Ordinal);
        Assert.Contains($"Restore:Models:Directory is my-models, searched as {expected} ", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warming_up_the_default_model_is_information_while_health_is_not_serving_and_a_broken_file_is_an_error()
    {
        using var models = new TempDirectory();
        File.CreateSymbolicLink(Path.Combine(models.Path, "realesr-general-x4v3.onnx"), SharedAssets.Model("realesr-general-x4v3.onnx"));
        var logs = new RecordingLoggerProvider();
        await using (WebApplication app = await StartAsync(models.Path, logs))
        {
            using var channel = GrpcChannel.ForAddress(app.ListeningAddress());
            var health = new Health.HealthClient(channel);
            var seen = new List<ServingStatus>();
            while (seen.LastOrDefault() != ServingStatus.Serving)
            {
                seen.Add((await health.CheckAsync(new HealthCheckRequest { Service = "restoregrpc.v1.RestoreService" }, cancellationToken: Ct)).Status);
                await Task.Delay(50, Ct);
            }

            Assert.Equal(ServingStatus.NotServing, seen[0]); // readiness, probed while the model warmed up
        }

        Assert.Contains(logs.Records, r => r is { Level: LogLevel.Information, EventId: 2006 } && r.Message.Contains("realesr-general-x4v3", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Records, r => r.Level >= LogLevel.Error);

        // A file that is not a model: a real failure, logged as one.
        using var broken = new TempDirectory();
        broken.CreateFile("realesr-general-x4v3.onnx", [1, 2, 3, 4]);
        var brokenLogs = new RecordingLoggerProvider();
        await using (WebApplication app = await StartAsync(broken.Path, brokenLogs))
        {
            using var client = new RestoreGrpc.Client.RestoreClient(new RestoreGrpc.Client.RestoreClientOptions { Address = app.ListeningAddress(), MaxAttempts = 1 });
            while ((await client.ListModelsAsync(Ct)).Models.Single(m => m.Name == "realesr-general-x4v3").State is not (ModelState.Failed or ModelState.Ready))
            {
                await Task.Delay(50, Ct);
            }
        }

        Assert.Contains(brokenLogs.Records, r => r.Level == LogLevel.Error && r.Message.Contains("realesr-general-x4v3 failed to load", StringComparison.Ordinal));
    }

    private static async Task<WebApplication> StartAsync(string models, RecordingLoggerProvider logs)
    {
        WebApplication app = RestoreServer.Build(
            [
                "--urls", "http://127.0.0.1:0",
                $"--Restore:Models:Directory={models}",
                "--Restore:Models:ExecutionProvider=Cpu",
                "--Logging:LogLevel:Default=Information",
            ],
            builder => builder.Logging.AddProvider(logs));
        await app.StartAsync(Ct);
        return app;
    }
}
