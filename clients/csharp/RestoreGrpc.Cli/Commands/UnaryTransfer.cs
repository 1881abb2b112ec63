using RestoreGrpc.Cli.Files;
using RestoreGrpc.Client;
using ImageFormat = RestoreGrpc.Contracts.V1.ImageFormat;

namespace RestoreGrpc.Cli.Commands;

/// <summary>The whole image in one Restore call; the output is named after the server's answer (its scale and
/// format) unless <c>--scale</c> names it up front.</summary>
internal sealed class UnaryTransfer : IFileTransfer
{
    public static readonly UnaryTransfer Instance = new();

    public string? OutputPathBeforeRequest(InputFile file, UpscaleBatch batch) => batch.PredictedPath(file);

    public async Task<Action<TimeSpan>?> RestoreAsync(InputFile file, UpscaleBatch batch, string? outputPath, PartialOutput output, CancellationToken cancellationToken)
    {
        RestoreOptions options = batch.Options;
        byte[] input = await File.ReadAllBytesAsync(file.FullPath, cancellationToken).ConfigureAwait(false);
        RestoreResult result = await batch.Client.RestoreAsync(input, options, cancellationToken).ConfigureAwait(false);

        // Named by the scale asked for (_x2.5), not the achieved ratio of truncated sides (2.503); else the model's.
        double? scale = options.Scale ?? (result.Details.Scale > 0 ? result.Details.Scale : null);
        string extension = result.Output.Format == ImageFormat.Unspecified
            ? file.Extension.ToLowerInvariant()
            : result.FileExtension;
        string finalPath = batch.Namer.Reserve(file, scale, extension);
        if (!batch.MayWrite(file, finalPath))
        {
            return null;
        }

        await File.WriteAllBytesAsync(output.Begin(finalPath), result.Image, cancellationToken).ConfigureAwait(false);
        return elapsed => batch.Reporter.Succeeded(file, finalPath, result, elapsed);
    }
}
