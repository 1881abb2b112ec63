using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Client;

/// <summary>A restored image and how the server produced it.</summary>
public sealed class RestoreResult
{
    internal RestoreResult(RestoreResponse response)
    {
        Image = response.Image.Memory;
        Output = response.Output ?? new ImageInfo();
        Details = response.Details ?? new RestoreDetails();
    }

    /// <summary>The encoded output image.</summary>
    public ReadOnlyMemory<byte> Image { get; }

    /// <summary>Size, format, colour type and bit depth of <see cref="Image"/>.</summary>
    public ImageInfo Output { get; }

    /// <summary>Model, scale, tiles and stage timings.</summary>
    public RestoreDetails Details { get; }

    /// <summary>The file extension (with dot) matching the output format.</summary>
    public string FileExtension => OutputFormats.Extension(Output.Format);
}
