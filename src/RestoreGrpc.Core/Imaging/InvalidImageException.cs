using RestoreGrpc.Core.Errors;

namespace RestoreGrpc.Core.Imaging;

/// <summary>The input bytes are not an image the server can read (empty, unknown format, corrupt, too large).</summary>
internal sealed class InvalidImageException : InvalidRequestException
{
    public InvalidImageException(string description, Exception? innerException = null)
        : base(RequestField.Image, description, innerException)
    {
    }
}
