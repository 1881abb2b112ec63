using System.CommandLine;
using RestoreGrpc.Cli.Presets;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Commands;

/// <summary><c>restore preset save|show</c>: restore options kept in a JSON file for <c>upscale --preset</c>.</summary>
internal sealed class PresetCommand : Command
{
    public PresetCommand(CliContext context)
        : base("preset", "Save or show a preset: restore options stored as JSON, used with 'upscale --preset'.")
    {
        ArgumentNullException.ThrowIfNull(context);
        Save = new SaveCommand(context);
        Show = new ShowCommand(context);
        Subcommands.Add(Save);
        Subcommands.Add(Show);
    }

    public SaveCommand Save { get; }

    public ShowCommand Show { get; }

    /// <summary><c>restore preset save FILE [options]</c>.</summary>
    internal sealed class SaveCommand : Command
    {
        public SaveCommand(CliContext context)
            : base("save", "Write the given restore options to a preset file (overwriting it).")
        {
            Arguments.Add(File);
            OptionSet.AddTo(this);
            SetAction((parseResult, cancellationToken) => CommandExecution.RunAsync(
                context.Console,
                async () =>
                {
                    string path = parseResult.GetRequiredValue(File);
                    RestoreOptions options = ReadOptions(parseResult);
                    await PresetFile.SaveAsync(path, options, cancellationToken).ConfigureAwait(false);
                    await context.Console.Out.WriteLineAsync($"Saved preset {path}:").ConfigureAwait(false);
                    await context.Console.Out.WriteLineAsync(PresetFile.Serialize(options)).ConfigureAwait(false);
                    return ExitCodes.Success;
                },
                cancellationToken));
        }

        public Argument<string> File { get; } = new("file") { Description = "Preset file to write (JSON)." };

        public RestoreOptionSet OptionSet { get; } = new();

        /// <summary>The preset the command line describes.</summary>
        public RestoreOptions ReadOptions(ParseResult parseResult) => OptionSet.Read(parseResult).ApplyTo(null);
    }

    /// <summary><c>restore preset show FILE</c>.</summary>
    internal sealed class ShowCommand : Command
    {
        public ShowCommand(CliContext context)
            : base("show", "Check a preset file and print its options.")
        {
            Arguments.Add(File);
            SetAction((parseResult, cancellationToken) => CommandExecution.RunAsync(
                context.Console,
                async () =>
                {
                    RestoreOptions options = await PresetFile.LoadAsync(parseResult.GetRequiredValue(File), cancellationToken)
                        .ConfigureAwait(false);
                    await context.Console.Out.WriteLineAsync(PresetFile.Serialize(options)).ConfigureAwait(false);
                    return ExitCodes.Success;
                },
                cancellationToken));
        }

        public Argument<string> File { get; } = new("file") { Description = "Preset file to read (JSON)." };
    }
}
