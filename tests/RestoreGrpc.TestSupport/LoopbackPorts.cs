using System.Net;
using System.Net.Sockets;

namespace RestoreGrpc.TestSupport;

/// <summary>Ports for external programs that cannot report a port-0 binding back (e.g. Prometheus).</summary>
public static class LoopbackPorts
{
    /// <summary>A loopback port the OS just handed out and released; programs that can bind port 0 should do that instead.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
