using Microsoft.AspNetCore.Builder;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Configuration;

/// <summary>A bad setting stops the start with a message naming its key; nothing is clamped into range silently.</summary>
public sealed class OptionsValidationTests
{
    public static TheoryData<string, string> BadSettings => new()
    {
        { "--Restore:Encoding:PngCompressionLevel=12", "Restore:Encoding:PngCompressionLevel = 12" },
        { "--Restore:Batching:MaxBatch=0", "Restore:Batching:MaxBatch = 0" },
        { "--Restore:Server:ConcurrentRuns=-1", "Restore:Server:ConcurrentRuns = -1" },
        { "--Restore:Streaming:Credit=0", "Restore:Streaming:Credit = 0" },
        { "--Restore:Models:Entries:0:Scale=0", "Restore:Models:Entries:0:Scale = 0" },
        { "--Restore:Models:CudnnConvAlgoSearch=FASTEST", "Restore:Models:CudnnConvAlgoSearch = FASTEST" },
        { "--Restore:Models:Precision=Fp8", "Restore:Models:Precision" },
        // Not a number, and a key no options class has (a typo): the binder names them.
        { "--Restore:Limits:MaxDimension=big", "Restore:Limits:MaxDimension" },
        { "--Restore:Encoding:PngCompresionLevel=3", "PngCompresionLevel" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_start_and_the_message_names_the_key(string setting, string expected)
    {
        // Settings Kestrel reads fail while the host is built, the others when it starts: either way nothing serves.
        Exception error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using WebApplication app = RestoreServer.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=None", setting]);
            await app.StartAsync(TestContext.Current.CancellationToken);
        });
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>A bad enum value inside a catalog entry stops the start too; the binder's outer message (list items) does
    /// not name the key, its inner one does (the process test below prints that one).</summary>
    [Theory]
    [InlineData("--Restore:Models:Entries:0:Precision=half")]
    [InlineData("--Restore:Models:Entries:0:Task=half")]
    public async Task A_bad_enum_in_a_model_entry_stops_the_start(string setting)
    {
        Exception error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using WebApplication app = RestoreServer.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=None", setting]);
            await app.StartAsync(TestContext.Current.CancellationToken);
        });
        Assert.Contains("invalid configuration value", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Restore:Encoding:PngCompressionLevel=12", "Restore:Encoding:PngCompressionLevel = 12: The field PngCompressionLevel must be between 1 and 9.")]
    [InlineData("--Restore:Limits:MaxDimension=big", "Failed to convert configuration value 'big' at 'Restore:Limits:MaxDimension'")]
    [InlineData("--Restore:Encoding:PngCompresionLevel=3", "'PngCompresionLevel'")]
    [InlineData("--Restore:Models:Entries:0:Precision=half", "Failed to convert configuration value 'half' at 'Restore:Models:Entries:0:Precision'")]
    public async Task The_server_process_refusing_a_setting_prints_one_line_naming_it_and_exits_with_ex_config(string setting, string expected)
    {
        using var start = new TempDirectory();
        string server = Checkout.Combine($"src/RestoreGrpc.Server/bin/{Checkout.Configuration}/net10.0/RestoreGrpc.Server.dll");

        (int exitCode, string output) = await ChildProcess.RunAsync(
            "dotnet", [server, "--urls", "http://127.0.0.1:0", setting], start.Path, TimeSpan.FromMinutes(3));

        Assert.Equal(StartupConfigurationError.ExitCode, exitCode);
        string line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("restoregrpc: not started, invalid configuration: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Good_settings_start()
    {
        await using WebApplication app = RestoreServer.Build(
        [
            "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=None", "--Restore:Models:Directory=/nonexistent-restoregrpc-models",
            "--Restore:Encoding:PngCompressionLevel=9", "--Restore:Batching:MaxBatch=8",
        ]);
        await app.StartAsync(TestContext.Current.CancellationToken);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }
}
