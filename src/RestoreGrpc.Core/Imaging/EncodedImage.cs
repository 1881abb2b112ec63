namespace RestoreGrpc.Core.Imaging;

/// <summary>Encoded output bytes and what they hold.</summary>
public sealed record EncodedImage(byte[] Bytes, ImageDescription Description);
