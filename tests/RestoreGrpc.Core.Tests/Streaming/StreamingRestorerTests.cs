using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Core.Scheduling;
using RestoreGrpc.Core.Streaming;

namespace RestoreGrpc.Core.Tests.Streaming;

public sealed class StreamingRestorerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_header_allocates_nothing_in_proportion_to_the_plan()
    {
        using var gate = new InferenceGate(1);
        using var batcher = new DynamicBatcher(gate);
        var options = new StreamingOptions();
        var restorer = new StreamingRestorer(TestPipelines.Catalog(), batcher, new ImageLimits(), options, new StreamingJobRegistry(options));

        // 32768² in tiles of 16: 4,194,304 tiles, so one byte per tile is 4 MiB. Before, a 40-byte header cost ~28 MB
        // (flags and a list of every tile) and 80 of them 0.9 GB of RSS.
        var header = new StreamOpenRequest(new RestoreSettings(Model: BuiltinModels.ResamplerName, TileSize: 16, TileMargin: 0), 32768, 32768, null, null, []);
        await using (await restorer.OpenAsync(header, Ct))
        {
            // The first open loads the model.
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        StreamingSession session = await restorer.OpenAsync(header, Ct);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await session.DisposeAsync();

        Assert.Equal(4_194_304, session.Job.Plan.Count);
        Assert.True(allocated < 256 * 1024, $"opening a stream allocated {allocated:N0} bytes");
    }
}
