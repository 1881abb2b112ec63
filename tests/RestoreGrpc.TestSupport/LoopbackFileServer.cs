using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RestoreGrpc.TestSupport;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1, port 0, serving fixed bytes per path (404 otherwise). Enough to test
/// model downloads without the internet.
/// </summary>
public sealed class LoopbackFileServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _files;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public LoopbackFileServer(IDictionary<string, byte[]> files)
    {
        _files = new Dictionary<string, byte[]>(files, StringComparer.Ordinal);
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public Uri BaseAddress => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public int Requests => Volatile.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            NetworkStream stream = client.GetStream();
            var header = new StringBuilder();
            byte[] one = new byte[1];
            while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one) == 1)
            {
                header.Append((char)one[0]);
            }

            Interlocked.Increment(ref _requests);
            string path = header.ToString().Split(' ', 3) is [_, var p, _] ? p : "/";
            byte[] body = _files.TryGetValue(path, out byte[]? file) ? file : [];
            string status = file is null ? "404 Not Found" : "200 OK";
            byte[] head = Encoding.ASCII.GetBytes(
                $"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head);
            await stream.WriteAsync(body);
        }
    }
}
