using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using RestoreGrpc.Client;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests;

/// <summary>Issue 20: Kestrel buffers each request's upload in its connection memory pool before any handler runs;
/// the server's own pool factory lets the idle trim drop those blocks at once, instead of Kestrel's 5 % per 10 s.</summary>
public sealed class KestrelMemoryPoolTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kestrel_takes_its_pools_from_the_trimmable_factory_and_a_trim_drops_every_free_block()
    {
        // The idle trim off, so that only this test trims.
        await using LoopbackServer server = await LoopbackServer.StartAsync("--Restore:Memory:IdleTrimSeconds=0");
        var factory = Assert.IsType<TrimmableMemoryPoolFactory>(server.Services.GetRequiredService<IMemoryPoolFactory<byte>>());

        // A 1 MiB upload passes through the transport's blocks, which go back to the pool when the call is done.
        byte[] image = SyntheticImages.LargePng(1 << 20);
        await server.Client.RestoreAsync(image, new RestoreOptions { Model = "builtin-lanczos-x4" }, Ct);
        Assert.True(factory.PooledBytes >= 256 << 10, $"{factory.PooledBytes} bytes pooled after a 1 MiB upload");

        long dropped = factory.Trim();
        Assert.True(dropped >= 256 << 10, $"{dropped} bytes dropped");
        Assert.Equal(0, factory.PooledBytes);
    }
}
