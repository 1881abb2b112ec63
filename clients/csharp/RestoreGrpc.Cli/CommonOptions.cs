using System.CommandLine;
using System.CommandLine.Parsing;
using System.Numerics;
using RestoreGrpc.Cli.Presets;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli;

/// <summary>Options shared by several commands, and the checks on their values.</summary>
internal static class CommonOptions
{
    /// <summary>Names accepted by <c>--format</c>.</summary>
    public const string FormatNames = "png|jpg|webp|tiff|bmp|gif";

    /// <summary>
    /// <c>--server URL</c>, valid on every command. Defaults to <paramref name="fromEnvironment"/> (the
    /// <c>RESTORE_SERVER</c> variable) or <see cref="RestoreCli.DefaultServer"/>.
    /// </summary>
    public static Option<string> Server(string? fromEnvironment)
    {
        string fallback = string.IsNullOrWhiteSpace(fromEnvironment) ? RestoreCli.DefaultServer : fromEnvironment.Trim();
        var option = new Option<string>("--server")
        {
            Description = $"Server address; defaults to ${RestoreCli.ServerEnvironmentVariable}, else {RestoreCli.DefaultServer}.",
            HelpName = "URL",
            Recursive = true,
            DefaultValueFactory = _ => fallback,
        };
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                result.AddError($"--server must be an http:// or https:// address (got '{value}').");
            }
        });
        return option;
    }

    /// <summary>Adds an error unless the value, when given, is above <paramref name="exclusiveMinimum"/>.</summary>
    public static Option<T?> GreaterThan<T>(this Option<T?> option, T exclusiveMinimum)
        where T : struct, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (ValueOf<T>(result) is { } value && !(value > exclusiveMinimum))
            {
                result.AddError($"{option.Name} must be greater than {exclusiveMinimum} (got {value}).");
            }
        });
        return option;
    }

    /// <summary>Adds an error unless the value, when given, lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<T?> Between<T>(this Option<T?> option, T min, T max)
        where T : struct, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (ValueOf<T>(result) is { } value && (value < min || value > max))
            {
                result.AddError($"{option.Name} must be between {min} and {max} (got {value}).");
            }
        });
        return option;
    }

    /// <summary>Adds an error unless the value is above zero (options with a default value).</summary>
    public static Option<double> Positive(this Option<double> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (ValueOf<double>(result) is { } value && !(value > 0))
            {
                result.AddError($"{option.Name} must be greater than 0 (got {value}).");
            }
        });
        return option;
    }

    /// <summary>Same as <see cref="Between{T}(Option{T?}, T, T)"/> for options with a default value.</summary>
    public static Option<int> AtLeast(this Option<int> option, int min)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (ValueOf<int>(result) is { } value && value < min)
            {
                result.AddError($"{option.Name} must be at least {min} (got {value}).");
            }
        });
        return option;
    }

    /// <summary>The option's value; null when absent or when it did not convert (that error is reported already).</summary>
    private static T? ValueOf<T>(OptionResult result)
        where T : struct
    {
        try
        {
            return result.GetValueOrDefault<T?>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Parses a <c>--format</c> value (png, jpg, jpeg, webp, tif, tiff, bmp, gif).</summary>
    public static RestoreMode? ParseMode(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        RestoreMode? mode = token.ToUpperInvariant() switch
        {
            "SR" or "SUPER-RESOLUTION" => RestoreMode.SuperResolution,
            "FACES" => RestoreMode.Faces,
            "FACES-AND-BACKGROUND" => RestoreMode.FacesAndBackground,
            "AUTO" => RestoreMode.Auto,
            _ => null,
        };
        if (mode is null)
        {
            result.AddError($"Unknown task '{token}'; use sr, faces, faces-and-background or auto.");
        }

        return mode;
    }

    public static OutputFormat? ParseFormat(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        OutputFormat? format = OutputFormats.Parse(token);
        if (format is null)
        {
            result.AddError($"Unknown format '{token}'; use one of {FormatNames.Replace('|', ' ')}.");
        }

        return format;
    }
}

/// <summary>
/// The restore options a command accepts (<c>--model --scale --tile --tile-margin --format --quality
/// --strip-metadata --lossless --background --timeout</c>), read back as <see cref="RestoreOptionOverrides"/>. One instance per command.
/// </summary>
internal sealed class RestoreOptionSet
{
    public Option<string?> Model { get; } = new("--model", "-m")
    {
        Description = "Catalog model name (default: the server's default model; see 'restore models').",
        HelpName = "NAME",
    };

    public Option<double?> Scale { get; } = new Option<double?>("--scale", "-x")
    {
        Description = "Output scale relative to the input, e.g. 2, 3.5, 4 (default: the model's native scale).",
        HelpName = "X",
    }.GreaterThan(0);

    public Option<int?> TileSize { get; } = new Option<int?>("--tile")
    {
        Description = "Tile edge in input pixels (default: the model's).",
        HelpName = "N",
    }.GreaterThan(0);

    public Option<int?> TileMargin { get; } = new Option<int?>("--tile-margin")
    {
        Description = "Context margin around each tile in input pixels (default: the model's).",
        HelpName = "N",
    }.Between(0, int.MaxValue);

    public Option<OutputFormat?> Format { get; } = new("--format", "-f")
    {
        Description = "Output format (default: the input's).",
        HelpName = CommonOptions.FormatNames,
        CustomParser = CommonOptions.ParseFormat,
    };

    public Option<int?> Quality { get; } = new Option<int?>("--quality", "-q")
    {
        Description = "JPEG/WebP quality 1..100 (default: the server's, 95). WebP is lossy at this quality unless --lossless.",
        HelpName = "N",
    }.Between(1, 100);

    public Option<bool> StripMetadata { get; } = new("--strip-metadata")
    {
        Description = "Drop the ICC profile and EXIF from outputs.",
    };

    public Option<bool> Lossless { get; } = new("--lossless")
    {
        Description = "WebP: lossless instead of lossy at --quality (PNG and TIFF are always lossless; JPEG never is).",
    };

    public Option<string?> Background { get; } = new("--background")
    {
        Description = "Colour that transparent pixels are composited over for JPEG output (default #ffffff).",
        HelpName = "#RRGGBB",
    };

    public Option<RestoreMode?> Mode { get; } = new("--task")
    {
        Description = "What to restore: sr (default), faces, faces-and-background, auto (faces when found).",
        HelpName = "sr|faces|faces-and-background|auto",
        CustomParser = CommonOptions.ParseMode,
    };

    public Option<double?> FaceBlend { get; } = new Option<double?>("--face-blend")
    {
        Description = "Weight of restored faces 0..1 (default 1).",
        HelpName = "W",
    }.Between(0.0, 1.0);

    public Option<bool> ColorFidelity { get; } = new("--color-fidelity")
    {
        Description = "Keep the input faces' skin tone under the restored detail.",
    };

    public Option<RestorePriority?> Priority { get; } = new("--priority")
    {
        Description = "Scheduling class: interactive (default) or batch (yields to interactive requests).",
        HelpName = "interactive|batch",
    };

    public Option<double?> Timeout { get; } = new Option<double?>("--timeout")
    {
        Description = "Per-request deadline in seconds (default: none).",
        HelpName = "SECONDS",
    }.GreaterThan(0);

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Model);
        command.Options.Add(Scale);
        command.Options.Add(TileSize);
        command.Options.Add(TileMargin);
        command.Options.Add(Format);
        command.Options.Add(Quality);
        command.Options.Add(StripMetadata);
        command.Options.Add(Lossless);
        command.Options.Add(Background);
        command.Options.Add(Mode);
        command.Options.Add(FaceBlend);
        command.Options.Add(ColorFidelity);
        command.Options.Add(Priority);
        command.Options.Add(Timeout);
    }

    /// <summary>The values given on the command line; absent options stay null.</summary>
    public RestoreOptionOverrides Read(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return new RestoreOptionOverrides
        {
            Model = string.IsNullOrWhiteSpace(parseResult.GetValue(Model)) ? null : parseResult.GetValue(Model),
            Scale = parseResult.GetValue(Scale),
            TileSize = parseResult.GetValue(TileSize),
            TileMargin = parseResult.GetValue(TileMargin),
            Format = parseResult.GetValue(Format),
            Quality = parseResult.GetValue(Quality),
            StripMetadata = parseResult.GetResult(StripMetadata) is { Implicit: false } ? parseResult.GetValue(StripMetadata) : null,
            Lossless = parseResult.GetResult(Lossless) is { Implicit: false } ? parseResult.GetValue(Lossless) : null,
            Background = string.IsNullOrWhiteSpace(parseResult.GetValue(Background)) ? null : parseResult.GetValue(Background),
            Timeout = parseResult.GetValue(Timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Mode = parseResult.GetValue(Mode),
            FaceBlend = parseResult.GetValue(FaceBlend),
            ColorFidelity = parseResult.GetResult(ColorFidelity) is { Implicit: false } ? parseResult.GetValue(ColorFidelity) : null,
            Priority = parseResult.GetValue(Priority),
        };
    }
}
