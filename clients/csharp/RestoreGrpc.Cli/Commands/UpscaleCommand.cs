using System.CommandLine;
using RestoreGrpc.Cli.Presets;

namespace RestoreGrpc.Cli.Commands;

/// <summary>Everything <c>restore upscale</c> was asked to do.</summary>
internal sealed record UpscaleSettings(
    IReadOnlyList<string> Inputs,
    string OutputDirectory,
    string Server,
    RestoreOptionOverrides Overrides,
    string? PresetPath,
    bool Recursive,
    bool TimestampNames,
    int Concurrency,
    double StreamAboveMegapixels = UpscaleCommand.DefaultStreamAboveMegapixels,
    ExistingOutputPolicy Existing = ExistingOutputPolicy.Refuse,
    double ProgressIntervalSeconds = UpscaleCommand.DefaultProgressIntervalSeconds,
    ClientCredentialSettings? Credentials = null);

/// <summary><c>restore upscale FILES|FOLDERS… [options]</c>.</summary>
internal sealed class UpscaleCommand : Command
{
    /// <summary>Where outputs go unless <c>--output</c> says otherwise (relative to the current directory).</summary>
    public const string DefaultOutputDirectory = "restored";

    /// <summary>Inputs larger than this (input megapixels) are streamed tile by tile to a tiled BigTIFF.</summary>
    public const double DefaultStreamAboveMegapixels = 8;

    /// <summary>Without a terminal, a progress line per file in flight this often (seconds).</summary>
    public const double DefaultProgressIntervalSeconds = 5;

    private readonly Option<string> _server;
    private readonly CredentialOptionSet _credentials;

    public UpscaleCommand(CliContext context, Option<string> server, CredentialOptionSet? credentials = null)
        : base("upscale", "Restore (upscale) image files and folders through the server.")
    {
        ArgumentNullException.ThrowIfNull(context);
        _server = server ?? throw new ArgumentNullException(nameof(server));
        _credentials = credentials ?? new CredentialOptionSet(apiKeyFromEnvironment: null, tokenFromEnvironment: null);
        Arguments.Add(Inputs);
        Options.Add(Output);
        OptionSet.AddTo(this);
        Options.Add(Preset);
        Options.Add(Recursive);
        Options.Add(TimestampNames);
        Options.Add(Concurrency);
        Options.Add(StreamAbove);
        Options.Add(Overwrite);
        Options.Add(SkipExisting);
        Options.Add(ProgressEvery);
        Inputs.Validators.Add(RejectUnknownOptions);
        Validators.Add(result =>
        {
            if (result.GetValue(Overwrite) && result.GetValue(SkipExisting))
            {
                result.AddError("--overwrite and --skip-existing exclude each other: choose one.");
            }
        });
        SetAction((parseResult, cancellationToken) => CommandExecution.RunAsync(
            context.Console,
            () => new UpscaleRunner(context).RunAsync(ReadSettings(parseResult), cancellationToken),
            cancellationToken,
            parseResult.GetRequiredValue(server)));
    }

    public Argument<string[]> Inputs { get; } = new("inputs")
    {
        Description = "Image files and/or folders (folders contribute their png, jpg, webp, tiff, bmp and gif files).",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<string> Output { get; } = new("--output", "-o")
    {
        Description = "Output folder (relative to the current directory). Subfolders of recursive inputs are mirrored.",
        HelpName = "DIR",
        DefaultValueFactory = _ => DefaultOutputDirectory,
    };

    public RestoreOptionSet OptionSet { get; } = new();

    public Option<string?> Preset { get; } = new("--preset", "-p")
    {
        Description = "Preset file (see 'restore preset save'); options given here override its values.",
        HelpName = "FILE",
    };

    public Option<bool> Recursive { get; } = new("--recursive", "-r")
    {
        Description = "Also take images from subfolders of the given folders.",
    };

    public Option<bool> TimestampNames { get; } = new("--timestamp-names")
    {
        Description = "Name outputs <name>_<yyyyMMdd-HHmmss>.<ext> (run start time) instead of <name>_x<scale>.<ext>.",
    };

    public Option<int> Concurrency { get; } = new Option<int>("--concurrency", "-j")
    {
        Description = "Images in flight at once.",
        HelpName = "N",
        DefaultValueFactory = _ => 1,
    }.AtLeast(1);

    public Option<double> StreamAbove { get; } = new Option<double>("--stream-above")
    {
        Description = "Stream inputs above this many megapixels tile by tile (bounded memory, resumes after a lost connection) to a tiled BigTIFF; 0 streams every input.",
        HelpName = "MP",
        DefaultValueFactory = _ => DefaultStreamAboveMegapixels,
    };

    public Option<bool> Overwrite { get; } = new("--overwrite")
    {
        Description = "Replace outputs that already exist (by default an existing output is kept and its input reported as failed).",
    };

    public Option<bool> SkipExisting { get; } = new("--skip-existing")
    {
        Description = "Skip inputs whose output already exists (counted as skipped in the summary).",
    };

    public Option<double> ProgressEvery { get; } = new Option<double>("--progress-every")
    {
        Description = "Without a terminal (output redirected), print a progress line per file in flight every this many seconds.",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => DefaultProgressIntervalSeconds,
    }.Positive();

    public UpscaleSettings ReadSettings(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return new UpscaleSettings(
            parseResult.GetRequiredValue(Inputs),
            parseResult.GetRequiredValue(Output),
            parseResult.GetRequiredValue(_server),
            OptionSet.Read(parseResult),
            parseResult.GetValue(Preset),
            parseResult.GetValue(Recursive),
            parseResult.GetValue(TimestampNames),
            parseResult.GetValue(Concurrency),
            parseResult.GetValue(StreamAbove),
            parseResult.GetValue(Overwrite) ? ExistingOutputPolicy.Overwrite
                : parseResult.GetValue(SkipExisting) ? ExistingOutputPolicy.Skip
                : ExistingOutputPolicy.Refuse,
            parseResult.GetValue(ProgressEvery),
            _credentials.Read(parseResult));
    }

    /// <summary>
    /// A token that looks like an option (<c>--bogus</c>) lands among the inputs when no option has that name; say it
    /// is an unknown option rather than a missing file. A file of that name that exists is still taken as an input.
    /// </summary>
    private static void RejectUnknownOptions(System.CommandLine.Parsing.ArgumentResult result)
    {
        foreach (var token in result.Tokens)
        {
            string value = token.Value;
            if (value.Length > 1 && value[0] == '-' && !File.Exists(value) && !Directory.Exists(value))
            {
                result.AddError($"unknown option '{value}' for 'restore upscale' (see 'restore upscale --help'; a file of that name would be taken as an input).");
            }
        }
    }
}
