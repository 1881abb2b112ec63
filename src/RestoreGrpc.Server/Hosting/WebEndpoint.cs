using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace RestoreGrpc.Server.Hosting;

/// <summary>
/// The Kestrel endpoint named <see cref="Name"/> (<c>Kestrel:Endpoints:Web:Url</c>), for browsers: HTTP/1.1 in
/// plaintext, HTTP/1.1 and HTTP/2 by ALPN with TLS, unless its own <c>Protocols</c> says otherwise. A plaintext
/// Kestrel endpoint cannot serve HTTP/1.1 next to HTTP/2 with prior knowledge (it falls back to HTTP/1.1 only:
/// dotnet/aspnetcore#56984), and native gRPC clients need the latter, so in plaintext the page needs a port of its own.
/// </summary>
public sealed class WebEndpoint
{
    public const string Name = "Web";

    /// <summary>The endpoint as Kestrel binds it; after start its end point carries the real port. Null when no web
    /// endpoint is configured.</summary>
    public ListenOptions? Listen { get; internal set; }

    /// <summary>Whether the endpoint's URL is https.</summary>
    public bool IsHttps { get; internal set; }
}
