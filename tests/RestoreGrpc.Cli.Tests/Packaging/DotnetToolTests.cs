using System.Globalization;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Cli.Tests.Packaging;

/// <summary>The CLI installs as a .NET tool named <c>restore</c>, as the README shows (pack, then install from the package folder).</summary>
public sealed class DotnetToolTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Packed_and_installed_into_a_tool_path_restore_help_runs()
    {
        using var temp = new TempDirectory();
        string packages = temp.CreateDirectory("packages");
        string tools = temp.Combine("tools");
        // A version of its own, so no package cached by an earlier run is installed instead.
        string version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

        (int packed, string packOutput) = await ChildProcess.RunAsync(
            "dotnet",
            ["pack", Checkout.Combine("clients/csharp/RestoreGrpc.Cli/RestoreGrpc.Cli.csproj"), "-c", Checkout.Configuration, "--no-build", "-o", packages, $"-p:Version={version}"],
            temp.Path,
            Limit);
        Assert.True(packed == 0, packOutput);

        (int installed, string installOutput) = await ChildProcess.RunAsync(
            "dotnet",
            ["tool", "install", "RestoreGrpc.Cli", "--tool-path", tools, "--add-source", packages, "--version", version],
            temp.Path,
            Limit);
        Assert.True(installed == 0, installOutput);

        (int exit, string help) = await ChildProcess.RunAsync(Path.Combine(tools, "restore"), ["--help"], temp.Path, Limit);

        Assert.Equal(0, exit);
        Assert.Contains("restore: image restoration and upscaling", help, StringComparison.Ordinal);
        Assert.Contains("upscale", help, StringComparison.Ordinal);
    }
}
