namespace RestoreGrpc.Core.Imaging;

/// <summary>Encoded output bytes and what they hold.</summary>
/// <param name="Notes">What the encoder did that the request did not spell out (alpha composited for JPEG, …).</param>
public sealed record EncodedImage(byte[] Bytes, ImageDescription Description, IReadOnlyList<string> Notes)
{
    public EncodedImage(byte[] bytes, ImageDescription description)
        : this(bytes, description, [])
    {
    }
}
