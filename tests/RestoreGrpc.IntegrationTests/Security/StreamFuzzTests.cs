using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RestoreGrpc.Core.Memory;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Streaming;
using RestoreGrpc.IntegrationTests.Streaming;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>
/// Seeded fuzzing of RestoreStream (issue 14): <see cref="StreamAbuse"/> exchanges, every kind in turn with random
/// details. Each must end in a clear status (never INTERNAL or UNKNOWN, never a hang), and afterwards the server
/// must hold no tile memory or queue entry for them and still restore normally. 200 cases in CI;
/// <c>RESTOREGRPC_FUZZ_CASES</c> and <c>RESTOREGRPC_FUZZ_SEED</c> make a longer run (benchmarks/fuzz.sh).
/// </summary>
public sealed class StreamFuzzTests(ServerFixture fixture, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Abusive_stream_sequences_end_in_a_clear_status_and_the_server_keeps_serving()
    {
        int cases = Setting("RESTOREGRPC_FUZZ_CASES", 200);
        int seed = Setting("RESTOREGRPC_FUZZ_SEED", 14);
        int maxTileBytes = fixture.Server.Services.GetRequiredService<IOptions<StreamingOptions>>().Value.MaxTileBytes;
        using var channel = GrpcChannel.ForAddress(fixture.Server.Address);
        var random = new Random(seed);
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var findings = new List<string>();
        for (int i = 0; i < cases; i++)
        {
            (string name, Status? ended) = await StreamAbuse.RunAsync(channel.CreateCallInvoker(), random, i, maxTileBytes, Ct);
            string outcome = $"{name}: {ended?.StatusCode.ToString() ?? "completed"}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (ended is { StatusCode: StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded } bad)
            {
                findings.Add($"case {i} (seed {seed}) {name}: {bad}");
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cases} cases, seed {seed}, {findings.Count} findings"));
        foreach ((string outcome, int count) in outcomes)
        {
            output.WriteLine($"  {outcome} x{count}");
        }

        Assert.True(findings.Count == 0, $"{findings.Count} of {cases} cases ended unclearly:\n" + string.Join('\n', findings.Take(20)));

        // Nothing left behind: no memory reserved by a stream, nothing queued.
        var batcher = fixture.Server.Services.GetRequiredService<DynamicBatcher>();
        var budget = fixture.Server.Services.GetRequiredService<MemoryBudget>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((batcher.QueuedItems != 0 || budget.InFlightBytes != 0) && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50, Ct);
        }

        Assert.Equal(0, batcher.QueuedItems);
        Assert.Equal(0, budget.InFlightBytes);

        // And a normal stream and a normal unary call still succeed.
        using var input = StreamingEndToEndTests.TestPattern(40, 30, seed: 9);
        using var source = RestoreGrpc.Client.Streaming.ImageTileSource.From(input);
        using var sink = new RestoreGrpc.Client.Streaming.ImageTileSink();
        var streamed = await fixture.Server.Client.RestoreLargeAsync(source, sink, new RestoreGrpc.Client.RestoreOptions { Model = "builtin-lanczos-x4" }, cancellationToken: Ct);
        Assert.Equal(160, streamed.OutputWidth);
        var unary = await fixture.Server.Client.RestoreAsync(RestoreGrpc.TestSupport.SyntheticImages.AlphaGradientPng(24, 16), new RestoreGrpc.Client.RestoreOptions { Model = "builtin-lanczos-x4" }, Ct);
        Assert.Equal(96, unary.Output.Width);
    }

    private static int Setting(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;
}
