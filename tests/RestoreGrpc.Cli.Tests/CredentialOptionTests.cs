using System.CommandLine;
using RestoreGrpc.Cli.Commands;
using RestoreGrpc.Cli.Output;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Tests;

/// <summary><c>--api-key --token --ca --cert --key</c> and their environment variables: parsed onto every command,
/// never printed (help, ToString, errors).</summary>
public sealed class CredentialOptionTests
{
    private const string EnvironmentKey = "env-key-5f0c2d";
    private const string EnvironmentToken = "env-token-91ab7e";

    private static RootCommand Root(string? apiKey = null, string? token = null) =>
        RestoreCli.BuildRootCommand(
            new CliContext(new CliConsole(new StringWriter(), new StringWriter(), interactive: false)),
            serverFromEnvironment: null,
            new CredentialOptionSet(apiKey, token));

    [Fact]
    public void Every_credential_option_reaches_the_upscale_settings()
    {
        ParseResult result = Root().Parse("upscale a.png --server https://s:1 --api-key k1 --token t1 --ca ca.pem --cert c.pem --key c.key");
        Assert.Empty(result.Errors);
        UpscaleSettings settings = Assert.IsType<UpscaleCommand>(result.CommandResult.Command).ReadSettings(result);
        Assert.Equal(new ClientCredentialSettings("k1", "t1", "ca.pem", "c.pem", "c.key"), settings.Credentials);
    }

    [Fact]
    public void The_environment_supplies_key_and_token_and_the_command_line_overrides_it()
    {
        ParseResult fromEnvironment = Root(EnvironmentKey, EnvironmentToken).Parse("bench --image a.png");
        BenchSettings bench = Assert.IsType<BenchCommand>(fromEnvironment.CommandResult.Command).ReadSettings(fromEnvironment);
        Assert.Equal(new ClientCredentialSettings(EnvironmentKey, EnvironmentToken), bench.Credentials);

        ParseResult overridden = Root(EnvironmentKey, EnvironmentToken).Parse("bench --image a.png --api-key cli-key");
        Assert.Equal("cli-key", Assert.IsType<BenchCommand>(overridden.CommandResult.Command).ReadSettings(overridden).Credentials?.ApiKey);
    }

    [Fact]
    public void No_credentials_read_as_none()
    {
        ParseResult result = Root().Parse("upscale a.png");
        Assert.Null(Assert.IsType<UpscaleCommand>(result.CommandResult.Command).ReadSettings(result).Credentials);
    }

    [Fact]
    public void A_key_without_a_certificate_is_a_usage_error() =>
        Assert.Contains(Root().Parse("models --key c.key").Errors, e => e.Message.Contains("--key needs --cert", StringComparison.Ordinal));

    [Fact]
    public async Task Help_never_prints_the_key_or_token_from_the_environment()
    {
        foreach (string command in new[] { "--help", "upscale --help", "models --help", "bench --help" })
        {
            var output = new StringWriter();
            await Root(EnvironmentKey, EnvironmentToken).Parse(command).InvokeAsync(new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);
            string help = output.ToString();
            Assert.Contains("--api-key", help, StringComparison.Ordinal);
            Assert.DoesNotContain(EnvironmentKey, help, StringComparison.Ordinal);
            Assert.DoesNotContain(EnvironmentToken, help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ToString_of_settings_and_client_options_hides_the_secrets()
    {
        var settings = new ClientCredentialSettings("k-secret-1", "t-secret-2", "ca.pem");
        var options = new RestoreClientOptions { ApiKey = "k-secret-1", BearerToken = "t-secret-2", CaCertificatePath = "ca.pem" };
        foreach (string text in new[] { settings.ToString(), options.ToString(), new UpscaleSettings(["a"], "o", "https://s", new(), null, false, false, 1, Credentials: settings).ToString() })
        {
            Assert.DoesNotContain("k-secret-1", text, StringComparison.Ordinal);
            Assert.DoesNotContain("t-secret-2", text, StringComparison.Ordinal);
            Assert.Contains("***", text, StringComparison.Ordinal);
            Assert.Contains("ca.pem", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("http://example.com:5000", "key-over-plaintext-77", false)]
    [InlineData("https://example.com:5000", "key with spaces-77", false)]
    [InlineData("http://example.com:5000", "key-over-plaintext-77", true)]
    public void The_sdk_refuses_unsafe_credentials_without_quoting_them(string address, string key, bool asToken)
    {
        var options = new RestoreClientOptions { Address = new Uri(address) };
        if (asToken)
        {
            options.BearerToken = key;
        }
        else
        {
            options.ApiKey = key;
        }

        var error = Assert.ThrowsAny<ArgumentException>(() => new RestoreClient(options));
        Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_sdk_allows_credentials_over_plaintext_only_when_asked()
    {
        using var client = new RestoreClient(new RestoreClientOptions { Address = new Uri("http://127.0.0.1:1"), ApiKey = "k", AllowInsecureCredentials = true });
        Assert.Throws<ArgumentException>(() => new RestoreClient(new RestoreClientOptions { Address = new Uri("http://127.0.0.1:1"), ApiKey = "k" }));
    }

    [Fact]
    public async Task The_cli_refuses_a_key_over_plaintext_to_a_remote_host_without_echoing_it()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await RestoreCli.RunAsync(["models", "--server", "http://example.invalid:5000", "--api-key", "cli-secret-3141"], stdout, stderr, TestContext.Current.CancellationToken);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("need an https:// server", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("cli-secret-3141", stdout.ToString() + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_certificate_file_is_a_usage_error_naming_the_file()
    {
        var stderr = new StringWriter();
        int exit = await RestoreCli.RunAsync(["models", "--server", "https://127.0.0.1:1", "--cert", "/nonexistent/client.crt"], new StringWriter(), stderr, TestContext.Current.CancellationToken);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("/nonexistent/client.crt", stderr.ToString(), StringComparison.Ordinal);
    }
}
