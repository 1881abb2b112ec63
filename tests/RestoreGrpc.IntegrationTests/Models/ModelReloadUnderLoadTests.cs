using RestoreGrpc.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;

namespace RestoreGrpc.IntegrationTests.Models;

/// <summary>The load test: 8 clients restore continuously while the model is reloaded 5 times, and not one
/// request fails; every answer has the same pixels (the same weights before and after).</summary>
public sealed class ModelReloadUnderLoadTests : IDisposable
{
    private readonly TempModelFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Eight_clients_restoring_while_the_model_reloads_five_times_see_no_failure()
    {
        await using LoopbackServer server = await ModelServer.StartAsync(_folder);
        byte[] image = ModelServer.SmallImage(16);
        byte[] reference = (await server.Client.RestoreAsync(image, cancellationToken: Ct)).Image.ToArray();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        int succeeded = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Task[] clients = [.. Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            using var client = new RestoreClient(new RestoreClientOptions { Address = server.Address, MaxAttempts = 1 });
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    RestoreResult result = await client.RestoreAsync(image, cancellationToken: CancellationToken.None);
                    if (!result.Image.Span.SequenceEqual(reference))
                    {
                        failures.Enqueue($"client {i}: different pixels");
                    }

                    Interlocked.Increment(ref succeeded);
                }
                catch (Exception e)
                {
                    failures.Enqueue($"client {i}: {e.Message}");
                }
            }
        }, CancellationToken.None))];

        var reloads = new List<ModelInfo>();
        for (int i = 0; i < 5; i++)
        {
            int seen = Volatile.Read(ref succeeded);
            reloads.Add(await server.Client.ReloadModelAsync("anime", Ct));
            // Let requests run on each new session before the next swap.
            while (Volatile.Read(ref succeeded) < seen + 8 && failures.IsEmpty)
            {
                await Task.Delay(10, Ct);
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.All(reloads, r => Assert.Equal(ModelState.Ready, r.State));
        Assert.Empty(failures);
        Assert.True(succeeded >= 40, $"only {succeeded} requests completed");
        TestContext.Current.SendDiagnosticMessage($"{succeeded} requests, 0 failed, across 5 reloads");
    }
}
