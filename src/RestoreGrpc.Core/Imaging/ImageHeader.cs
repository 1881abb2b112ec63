namespace RestoreGrpc.Core.Imaging;

/// <summary>An encoded image's size from its header alone (nothing decoded), for admission decisions made before the
/// pipeline runs (per-tenant quotas).</summary>
public static class ImageHeader
{
    /// <exception cref="Errors.InvalidRequestException">Not an image the server reads (the same refusal as a restore).</exception>
    public static (int Width, int Height) Size(ReadOnlyMemory<byte> encoded)
    {
        var (info, _) = ImageDecoder.Identify(encoded);
        return (info.Width, info.Height);
    }
}
