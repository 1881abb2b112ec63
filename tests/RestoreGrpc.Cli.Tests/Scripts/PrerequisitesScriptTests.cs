using RestoreGrpc.TestSupport;

namespace RestoreGrpc.Cli.Tests.Scripts;

/// <summary>
/// scripts/prerequisites.sh (run by scripts/test.sh, the README's test command and CI's) says what it installs and
/// why before it installs anything. Run here on a copy whose table names a package that is surely absent, with
/// <c>id</c> and <c>apt-get</c> replaced by stubs that only record their call: nothing is installed.
/// </summary>
public sealed class PrerequisitesScriptTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task It_names_each_package_and_its_reason_before_installing()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "a bash script for Debian machines");
        using var temp = new TempDirectory();
        string script = await File.ReadAllTextAsync(Checkout.Combine("scripts/prerequisites.sh"), Ct);
        int table = script.IndexOf("<<'TABLE_END'\n", StringComparison.Ordinal);
        Assert.True(table > 0, "prerequisites.sh has no TABLE_END table");
        int rows = table + "<<'TABLE_END'\n".Length;
        script = script[..rows]
            + "restoregrpc-test-package|restoregrpc-no-such-command|the test needs a reason printed\n"
            + script[rows..];
        string copy = temp.CreateFile("prerequisites.sh", System.Text.Encoding.UTF8.GetBytes(script));
        string stubs = temp.CreateDirectory("stubs");
        await WriteStubAsync(Path.Combine(stubs, "id"), "echo 0");
        await WriteStubAsync(Path.Combine(stubs, "apt-get"), "echo \"APT-GET $*\" >> \"" + temp.Combine("apt-calls") + "\"; echo \"apt-get $*\"");

        (int exit, string output) = await ChildProcess.RunAsync(
            "bash",
            [copy],
            temp.Path,
            TimeSpan.FromMinutes(1),
            new Dictionary<string, string?> { ["PATH"] = $"{stubs}:/usr/bin:/bin" });

        Assert.Equal(0, exit);
        int told = output.IndexOf("restoregrpc-test-package: missing, to install (the test needs a reason printed)", StringComparison.Ordinal);
        int installing = output.IndexOf("installing with apt-get: restoregrpc-test-package", StringComparison.Ordinal);
        Assert.True(told >= 0, output);
        Assert.True(installing > told, output);
        Assert.Contains("install -y -qq --no-install-recommends restoregrpc-test-package", await File.ReadAllTextAsync(temp.Combine("apt-calls"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_test_command_runs_it_first_and_ci_runs_the_test_command()
    {
        string test = await File.ReadAllTextAsync(Checkout.Combine("scripts/test.sh"), Ct);
        string ci = await File.ReadAllTextAsync(Checkout.Combine(".ci/run"), Ct);

        int prerequisites = test.IndexOf("\nscripts/prerequisites.sh\n", StringComparison.Ordinal);
        Assert.True(prerequisites > 0 && prerequisites < test.IndexOf("\ndotnet test ", StringComparison.Ordinal), "scripts/test.sh must run scripts/prerequisites.sh before the tests");
        Assert.EndsWith("exec scripts/test.sh\n", ci, StringComparison.Ordinal);
    }

    private static async Task WriteStubAsync(string path, string body)
    {
        await File.WriteAllTextAsync(path, "#!/bin/sh\n" + body + "\n", Ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
