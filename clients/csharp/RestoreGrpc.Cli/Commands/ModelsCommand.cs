using System.CommandLine;
using RestoreGrpc.Cli.Output;
using RestoreGrpc.Client;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Cli.Commands;

/// <summary><c>restore models</c>: the server's model catalog.</summary>
internal sealed class ModelsCommand : Command
{
    public ModelsCommand(CliContext context, Option<string> server, CredentialOptionSet credentials)
        : base("models", "List the server's models: task, scale, state, provider and tile defaults; load, unload, reload them or switch the default.")
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(credentials);
        foreach (Command admin in ModelAdminCommand.All(context, server, credentials))
        {
            Subcommands.Add(admin);
        }

        SetAction((parseResult, cancellationToken) => CommandExecution.RunAsync(
            context.Console,
            async () =>
            {
                using RestoreClient client = context.CreateClient(parseResult.GetRequiredValue(server), credentials.Read(parseResult));
                ListModelsResponse catalog = await client.ListModelsAsync(cancellationToken).ConfigureAwait(false);
                if (catalog.Models.Count == 0)
                {
                    await context.Console.Out.WriteLineAsync("The server lists no models.").ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                context.Console.Ansi.Write(ModelTable.Build(catalog.Models, catalog.DefaultModel));
                foreach (string note in ModelTable.Notes(catalog.Models))
                {
                    await context.Console.Out.WriteLineAsync(note).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            },
            cancellationToken,
            parseResult.GetRequiredValue(server)));
    }
}
