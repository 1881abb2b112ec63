namespace RestoreGrpc.IntegrationTests;

/// <summary>One server shared by a test class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private LoopbackServer? _server;

    public LoopbackServer Server => _server ?? throw new InvalidOperationException("server not started");

    public async ValueTask InitializeAsync() => _server = await LoopbackServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
