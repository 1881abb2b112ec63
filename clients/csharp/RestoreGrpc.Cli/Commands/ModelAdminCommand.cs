using System.CommandLine;
using RestoreGrpc.Client;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Cli.Commands;

/// <summary>
/// <c>restore models load|unload|reload|default NAME</c>: live model management (ModelAdminService). Prints the
/// model's state after the call; a model that failed to load exits 1 with the reason.
/// </summary>
internal sealed class ModelAdminCommand : Command
{
    private ModelAdminCommand(CliContext context, Option<string> server, CredentialOptionSet credentials, string name, string description, Func<RestoreClient, string, CancellationToken, Task<string?>> act)
        : base(name, description)
    {
        Arguments.Add(Model);
        SetAction((parseResult, cancellationToken) => CommandExecution.RunAsync(
            context.Console,
            async () =>
            {
                using RestoreClient client = context.CreateClient(parseResult.GetRequiredValue(server), credentials.Read(parseResult));
                string? failure = await act(client, parseResult.GetRequiredValue(Model), cancellationToken).ConfigureAwait(false);
                if (failure is not null)
                {
                    await context.Console.Error.WriteLineAsync(failure).ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                return ExitCodes.Success;
            },
            cancellationToken,
            parseResult.GetRequiredValue(server)));
    }

    public Argument<string> Model { get; } = new("name") { Description = "The model's catalog name (restore models lists them)." };

    /// <summary>The four subcommands of <c>restore models</c>.</summary>
    public static IEnumerable<Command> All(CliContext context, Option<string> server, CredentialOptionSet credentials)
    {
        ArgumentNullException.ThrowIfNull(context);
        yield return new ModelAdminCommand(context, server, credentials, "load", "Load a model that is not loaded (missing, failed or unloaded); it is warmed up before it takes traffic.",
            async (client, name, ct) => await Report(context, await client.LoadModelAsync(name, ct).ConfigureAwait(false)).ConfigureAwait(false));
        yield return new ModelAdminCommand(context, server, credentials, "unload", "Unload a model: new requests naming it are refused, running ones finish.",
            async (client, name, ct) => await Report(context, await client.UnloadModelAsync(name, ct).ConfigureAwait(false)).ConfigureAwait(false));
        yield return new ModelAdminCommand(context, server, credentials, "reload", "Reload a model from its file and swap it in; a file that does not load leaves the old one serving.",
            async (client, name, ct) => await Report(context, await client.ReloadModelAsync(name, ct).ConfigureAwait(false)).ConfigureAwait(false));
        yield return new ModelAdminCommand(context, server, credentials, "default", "Make a ready super-resolution model the one used when a request names none.",
            async (client, name, ct) =>
            {
                string now = await client.SetDefaultModelAsync(name, ct).ConfigureAwait(false);
                await context.Console.Out.WriteLineAsync($"Default model: {now}").ConfigureAwait(false);
                return null;
            });
    }

    /// <returns>The failure to report, or null.</returns>
    private static async Task<string?> Report(CliContext context, ModelInfo model)
    {
        string state = model.State.ToString().ToUpperInvariant();
        string line = string.IsNullOrEmpty(model.StateDetail) ? $"{model.Name}: {state}" : $"{model.Name}: {state} ({model.StateDetail})";
        if (model.State is ModelState.Failed or ModelState.Missing)
        {
            return line;
        }

        await context.Console.Out.WriteLineAsync(line).ConfigureAwait(false);
        return null;
    }
}
