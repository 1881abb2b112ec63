namespace RestoreGrpc.Client;

/// <summary>A certificate or key file named in <see cref="RestoreClientOptions"/> could not be loaded; the message names the file.</summary>
public sealed class CertificateLoadException : Exception
{
    public CertificateLoadException()
    {
    }

    public CertificateLoadException(string message)
        : base(message)
    {
    }

    public CertificateLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
