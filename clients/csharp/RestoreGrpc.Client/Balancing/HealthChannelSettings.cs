using System.Net;
using Grpc.Core;
using Grpc.Net.Client;

namespace RestoreGrpc.Client.Balancing;

/// <summary>
/// How the health watches reach one instance: its own small channel with the main channel's credentials (TLS, call
/// credentials) and, when the main channel trusts a private CA or presents a client certificate, the same TLS settings
/// on a handler of its own (the main channel's handler belongs to its balancer).
/// </summary>
internal sealed class HealthChannelSettings(string service, GrpcChannelOptions main, bool tls)
{
    /// <summary>The service name the watches ask about (the server's readiness name).</summary>
    public string Service { get; } = service;

    public GrpcChannel ChannelTo(DnsEndPoint address)
    {
        var handler = new SocketsHttpHandler();
        if (main.HttpHandler is SocketsHttpHandler sockets)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = sockets.SslOptions.RemoteCertificateValidationCallback;
            handler.SslOptions.ClientCertificates = sockets.SslOptions.ClientCertificates;
        }

        var target = new UriBuilder(tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, address.Host, address.Port).Uri;
        return GrpcChannel.ForAddress(target, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            Credentials = main.Credentials ?? (tls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure),
            UnsafeUseInsecureChannelCallCredentials = main.UnsafeUseInsecureChannelCallCredentials,
        });
    }
}
