using Grpc.Core;
using RestoreGrpc.Cli.Files;
using RestoreGrpc.Cli.Output;
using RestoreGrpc.Client;

namespace RestoreGrpc.Cli.Commands;

/// <summary>What every file of one <c>restore upscale</c> run shares: the client, options, names and reporter.</summary>
internal sealed class UpscaleBatch(
    RestoreClient client,
    RestoreOptions options,
    OutputNamer namer,
    IBatchReporter reporter,
    string server,
    ExistingOutputPolicy existing)
{
    public RestoreClient Client { get; } = client;

    public RestoreOptions Options { get; } = options;

    public OutputNamer Namer { get; } = namer;

    public IBatchReporter Reporter { get; } = reporter;

    public ExistingOutputPolicy Existing { get; } = existing;

    /// <summary>A failed call in the user's terms (an unreachable server names the address and how to set it).</summary>
    public string Describe(RpcException exception) => ServerErrors.Describe(exception, server);

    /// <summary>
    /// Whether <paramref name="outputPath"/> may be written. When it exists and the policy is not
    /// <see cref="ExistingOutputPolicy.Overwrite"/>, the input is reported (skipped or failed) and false returned.
    /// </summary>
    public bool MayWrite(InputFile file, string outputPath)
    {
        if (Existing == ExistingOutputPolicy.Overwrite || !File.Exists(outputPath))
        {
            return true;
        }

        if (Existing == ExistingOutputPolicy.Skip)
        {
            Reporter.Skipped(file, outputPath);
        }
        else
        {
            Reporter.Failed(file, $"{BatchText.Display(outputPath)} already exists (--overwrite replaces it, --skip-existing skips it)");
        }

        return false;
    }

    /// <summary>
    /// The output path known before the request: with <c>--scale</c> given and a super-resolution task, the name
    /// depends only on the input and the format. Null when only the server's answer tells (the model's scale).
    /// </summary>
    public string? PredictedPath(InputFile file)
    {
        if (Options.Scale is not > 0 || Options.Mode is not (null or RestoreMode.SuperResolution))
        {
            return null;
        }

        OutputFormat? format = Options.Format ?? OutputFormats.Parse(file.Extension);
        return format is null ? null : Namer.Peek(file, Options.Scale, OutputFormats.Extension(format.Value.ToProto()));
    }
}
