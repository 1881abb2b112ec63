using System.CommandLine;
using System.CommandLine.Invocation;
using RestoreGrpc.Cli.Commands;
using RestoreGrpc.Cli.Output;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli;

/// <summary>
/// The <c>restore</c> command line, runnable in-process: <c>Program</c> calls it with the console's streams,
/// tests call it with <see cref="StringWriter"/>s. Exit codes: 0 success, 1 something failed, 2 usage error or
/// nothing to do, 130 cancelled.
/// </summary>
public static class RestoreCli
{
    /// <summary>Environment variable holding the default server address.</summary>
    public const string ServerEnvironmentVariable = "RESTORE_SERVER";

    /// <summary>Environment variable holding the API key used when <c>--api-key</c> is not given.</summary>
    public const string ApiKeyEnvironmentVariable = "RESTORE_API_KEY";

    /// <summary>Environment variable holding the bearer token used when <c>--token</c> is not given.</summary>
    public const string TokenEnvironmentVariable = "RESTORE_TOKEN";

    /// <summary>Server address used when neither <c>--server</c> nor <see cref="ServerEnvironmentVariable"/> is set.</summary>
    public const string DefaultServer = "http://localhost:5000";

    /// <summary>
    /// Runs the command line <paramref name="args"/> and returns the process exit code. When
    /// <paramref name="cancellationToken"/> cannot be cancelled (e.g. <see cref="CancellationToken.None"/>), Ctrl+C and
    /// SIGTERM cancel the running command instead.
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, stdout, stderr, configureClient: null, cancellationToken);

    /// <summary>
    /// Runs the command line <paramref name="args"/>; <paramref name="configureClient"/> adjusts every client's
    /// settings before use (e.g. a test server's <see cref="RestoreClientOptions.HttpHandler"/>).
    /// </summary>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        Action<RestoreClientOptions>? configureClient,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        using OpenTelemetry.Trace.TracerProvider? tracing = CliTelemetry.StartExporting();
        var console = new CliConsole(stdout, stderr, CliConsole.IsTerminal(stdout));
        RootCommand root = BuildRootCommand(
            new CliContext(console, configureClient),
            Environment.GetEnvironmentVariable(ServerEnvironmentVariable),
            new CredentialOptionSet(
                Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable),
                Environment.GetEnvironmentVariable(TokenEnvironmentVariable)));
        ParseResult parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            foreach (var error in parseResult.Errors)
            {
                await console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            await console.Error.WriteLineAsync("Run 'restore --help' (or 'restore <command> --help') for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // Ctrl+C / SIGTERM cancel the command's token (and force exit 130 if it has not finished 2 s later),
            // unless the caller brings its own token, in which case cancellation is the caller's business.
            ProcessTerminationTimeout = cancellationToken.CanBeCanceled ? null : TimeSpan.FromSeconds(2),
        };
        return await parseResult.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The command tree. <paramref name="serverFromEnvironment"/> is the <c>RESTORE_SERVER</c> value;
    /// <paramref name="credentials"/> the credential options (none from the environment when null).
    /// </summary>
    internal static RootCommand BuildRootCommand(CliContext context, string? serverFromEnvironment, CredentialOptionSet? credentials = null)
    {
        Option<string> server = CommonOptions.Server(serverFromEnvironment);
        credentials ??= new CredentialOptionSet(apiKeyFromEnvironment: null, tokenFromEnvironment: null);
        var root = new RootCommand("restore: image restoration and upscaling through a RestoreGrpc server.");
        root.Options.Add(server);
        credentials.AddTo(root);
        root.Subcommands.Add(new UpscaleCommand(context, server, credentials));
        root.Subcommands.Add(new ModelsCommand(context, server, credentials));
        root.Subcommands.Add(new PresetCommand(context));
        root.Subcommands.Add(new BenchCommand(context, server, credentials));
        return root;
    }
}
