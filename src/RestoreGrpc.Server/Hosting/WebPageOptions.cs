namespace RestoreGrpc.Server.Hosting;

/// <summary>The web page and gRPC-Web (section <c>Restore:Web</c>).</summary>
public sealed class WebPageOptions
{
    public const string Section = "Restore:Web";

    /// <summary>Serve the web page at <c>/</c> and accept gRPC-Web calls (browsers call the services through it).
    /// Off: <c>/</c> answers a one-line text and only native gRPC is served.</summary>
    public bool Enabled { get; set; } = true;
}
