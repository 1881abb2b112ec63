using System.Net;
using System.Net.Sockets;
using RestoreGrpc.Client;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Fleet;

/// <summary>
/// The SDK's <c>dns:///</c> path: two server processes on the same port, one on 127.0.0.1 and one on [::1], so that
/// <c>dns:///localhost:PORT</c> resolves to both (as a headless Service's name resolves to its pods). The calls reach
/// both instances, and when one is SIGKILLed under load no call fails. Needs a resolver that answers both loopback
/// addresses for localhost (an /etc/hosts with <c>::1 localhost</c>, as Debian and Ubuntu write by default); skips
/// with the reason elsewhere. Where /etc/hosts lacks the line, a private mount namespace runs it without touching the
/// machine: <c>unshare -m sh -c 'mount --bind HOSTS /etc/hosts &amp;&amp; dotnet test …'</c> with HOSTS a file holding
/// <c>127.0.0.1 localhost</c> and <c>::1 localhost</c>.
/// </summary>
public sealed class DnsBalancingTests
{
    private const string Resampler = "builtin-lanczos-x4";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_dns_target_spreads_calls_over_every_address_of_the_name_and_fails_over_when_one_instance_dies()
    {
        await SkipUnlessLocalhostResolvesToBothLoopbacksAsync();
        int port = PortFreeOnBothLoopbacks();
        FleetServer[] servers = await Task.WhenAll(
            FleetServer.StartAsync(1, $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{port}"),
            FleetServer.StartAsync(1, $"--Kestrel:Endpoints:Grpc:Url=http://[::1]:{port}"));
        try
        {
            using var client = new RestoreClient(new RestoreClientOptions { Address = new Uri($"dns:///localhost:{port}"), MaxAttempts = 5 });
            using var http = new HttpClient();
            byte[] image = SyntheticImages.AlphaGradientPng(40, 24);
            var options = new RestoreOptions { Model = Resampler, Format = OutputFormat.Png };
            byte[] expected = (await client.RestoreAsync(image, options, Ct)).Image.ToArray();

            await using var load = new UnaryLoad(client, image, options, expected, workers: 3, Ct);

            // Both addresses of the name get calls (each instance counts what it served).
            long[] served = await FleetServer.WaitUntilEachServedAsync(servers, http, Ct);

            servers[1].Kill();
            long survivorBefore = await servers[0].RestoreCountAsync(http, Ct);
            int completedAtKill = load.Completed;
            // Load goes on until the survivor alone has served a good number more.
            for (var waited = System.Diagnostics.Stopwatch.StartNew();
                 await servers[0].RestoreCountAsync(http, Ct) < survivorBefore + 20 && waited.Elapsed < TimeSpan.FromSeconds(60);)
            {
                await Task.Delay(200, Ct);
            }

            await load.StopAsync();

            Assert.All(served, n => Assert.True(n > 0, $"an address of the name got no call: {string.Join(", ", served)} (127.0.0.1, [::1])"));
            Assert.True(load.Failures.Count == 0, "failed calls: " + string.Join(" | ", load.Failures));
            Assert.Equal(0, load.Mismatched);
            Assert.True(await servers[0].RestoreCountAsync(http, Ct) >= survivorBefore + 20, "the survivor did not take over the load");
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"served before the kill (127.0.0.1, [::1]): {string.Join(", ", served)}; completed before / after: {completedAtKill} / {load.Completed}");
        }
        finally
        {
            foreach (FleetServer server in servers)
            {
                server.Dispose();
            }
        }
    }

    private static async Task SkipUnlessLocalhostResolvesToBothLoopbacksAsync()
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync("localhost", Ct);
        }
        catch (SocketException e)
        {
            addresses = [];
            Assert.Skip($"localhost does not resolve here ({e.SocketErrorCode})");
        }

        if (!Socket.OSSupportsIPv6 || !addresses.Contains(IPAddress.IPv6Loopback) || !addresses.Contains(IPAddress.Loopback))
        {
            Assert.Skip(
                $"localhost resolves to [{string.Join(", ", addresses.Select(a => a.ToString()))}] on this machine (IPv6 {(Socket.OSSupportsIPv6 ? "supported" : "unsupported")}); " +
                "the dns:/// test needs both 127.0.0.1 and ::1 (an /etc/hosts line '::1 localhost')");
        }
    }

    /// <summary>A port the OS just handed out on 127.0.0.1 that [::1] can bind too (both released again).</summary>
    private static int PortFreeOnBothLoopbacks()
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = LoopbackPorts.Free();
            try
            {
                using var v6 = new TcpListener(IPAddress.IPv6Loopback, port);
                v6.Start();
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }
}
