using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using RestoreGrpc.Contracts.V1;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// Tenant isolation (issue 14): one tenant floods the server while another sends one request at a time; the quiet
/// tenant's p99 latency with the flood running is compared with its p99 without it, in the same run, in interleaved
/// windows (quiet, flood, quiet, flood, …) so machine load drifts into both alike. The server (its own process) serves
/// the <c>nearest-x4</c> stand-in with per-tenant quotas; tenants are named by <c>x-restore-tenant</c> (self-declared,
/// authentication off: the quota and scheduling path is the one an authenticated tenant takes). A refused flood call
/// waits its RetryInfo delay, as a well-behaved client does.
/// <c>--tenant-flood [--rounds 3] [--seconds 10] [--flood-clients 32] [--size 256] [--server-arg KEY=VALUE]…</c>
/// (default quotas: <c>Restore:Quotas:MaxConcurrentUnary=2</c> per tenant).
/// </summary>
internal static class TenantFlood
{
    public static async Task RunAsync(int rounds, int seconds, int floodClients, int size, string[] serverArgs, string modelsDirectory)
    {
        var culture = CultureInfo.InvariantCulture;
        string modelPath = OverheadModel.Write(Path.Combine(Path.GetTempPath(), "restoregrpc-bench-models"));
        await using ServerProcess server = await ServerProcess.StartAsync(
            Path.Combine(AppContext.BaseDirectory, "RestoreGrpc.Server.dll"), modelsDirectory, OverheadModel.Name, 0, [.. OverheadModel.ServerArguments(modelPath), .. serverArgs]);
        // Each tenant is its own caller with its own connections, as two services would be: the quiet tenant's calls
        // never queue behind the flood's responses on a shared HTTP/2 connection of this process.
        using var floodChannel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        });
        using var quietChannel = GrpcChannel.ForAddress(server.Address);
        var client = new RestoreService.RestoreServiceClient(floodChannel);
        var quietClient = new RestoreService.RestoreServiceClient(quietChannel);
        var request = new RestoreRequest
        {
            Image = ByteString.CopyFrom(TestSupport.SyntheticImages.AlphaGradientPng(size, size)),
            Options = new RestoreOptions { Model = OverheadModel.Name },
        };
        Metadata Tenant(string name) => new() { { "x-restore-tenant", name } };
        for (int i = 0; i < 5; i++)
        {
            await quietClient.RestoreAsync(request, Tenant("quiet")); // warm-up
        }

        var quiet = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        long floodServed = 0, floodRefused = 0, quietRefused = 0;
        for (int round = 0; round < rounds; round++)
        {
            foreach (bool flooding in new[] { false, true })
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
                Task[] flood = flooding
                    ? [.. Enumerable.Range(0, floodClients).Select(_ => Task.Run(async () =>
                    {
                        while (!stop.IsCancellationRequested)
                        {
                            try
                            {
                                await client.RestoreAsync(request, Tenant("flood"), cancellationToken: stop.Token);
                                Interlocked.Increment(ref floodServed);
                            }
                            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                            {
                                Interlocked.Increment(ref floodRefused);
                                TimeSpan delay = e.GetRpcStatus()?.GetDetail<Google.Rpc.RetryInfo>()?.RetryDelay?.ToTimeSpan() ?? TimeSpan.FromSeconds(1);
                                await Task.Delay(delay, CancellationToken.None);
                            }
                            catch (RpcException) when (stop.IsCancellationRequested)
                            {
                                return;
                            }
                        }
                    }))]
                    : [];
                while (!stop.IsCancellationRequested)
                {
                    long started = Stopwatch.GetTimestamp();
                    try
                    {
                        await quietClient.RestoreAsync(request, Tenant("quiet"));
                        quiet[flooding].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                    {
                        quietRefused++;
                    }
                }

                await Task.WhenAll(flood);
            }
        }

        double Pct(bool flooding, double p) => Percentiles.Of(quiet[flooding].Order().ToList(), p);
        Console.WriteLine(string.Create(culture, $"{Environment.ProcessorCount} cores, {rounds} rounds × ({seconds} s quiet alone, {seconds} s with {floodClients} flood clients), {size}² PNG → nearest-x4; server args: {string.Join(' ', serverArgs)}"));
        Console.WriteLine();
        Console.WriteLine("| quiet tenant | calls | p50 ms | p99 ms |");
        Console.WriteLine("|---|---|---|---|");
        foreach (bool flooding in new[] { false, true })
        {
            Console.WriteLine(string.Create(culture, $"| {(flooding ? "with the flood" : "alone")} | {quiet[flooding].Count} | {Pct(flooding, 0.5):F1} | {Pct(flooding, 0.99):F1} |"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(culture,
            $"p99 ratio (flood / alone): {Pct(true, 0.99) / Pct(false, 0.99):F2} (target ≤ 1.5); flood served {floodServed}, refused {floodRefused} (RESOURCE_EXHAUSTED); quiet refused {quietRefused}"));
    }
}
