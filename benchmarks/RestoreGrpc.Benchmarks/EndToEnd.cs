using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using RestoreGrpc.Client;
using RestoreGrpc.Server.Hosting;

namespace RestoreGrpc.Benchmarks;

/// <summary>A full Restore call: SDK → gRPC over loopback → decode, tile, infer, assemble, encode → back.</summary>
internal static class EndToEnd
{
    public sealed record Result(double Seconds, double Decode, double Inference, double Tiling, double Encode, double Total, long OutputBytes);

    public static async Task<Result> MeasureAsync(string modelsDirectory, string imagePath, int threads, int tile, int runs)
    {
        WebApplication app = RestoreServer.Build(
        [
            "--urls", "http://127.0.0.1:0",
            $"--Restore:Models:Directory={modelsDirectory}",
            $"--Restore:Models:IntraOpThreads={threads}",
            "--Restore:Models:ExecutionProvider=Auto",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        try
        {
            using var client = new RestoreClient(new RestoreClientOptions { Address = app.ListeningAddress() });
            byte[] image = await File.ReadAllBytesAsync(imagePath);
            var options = new RestoreOptions { Model = "realesr-general-x4v3", TileSize = tile };
            await client.RestoreAsync(image, options); // warm-up (model load, first-run allocations)

            var samples = new List<(double Seconds, RestoreResult Result)>();
            for (int i = 0; i < runs; i++)
            {
                var watch = Stopwatch.StartNew();
                RestoreResult result = await client.RestoreAsync(image, options);
                samples.Add((watch.Elapsed.TotalSeconds, result));
            }

            samples.Sort((a, b) => a.Seconds.CompareTo(b.Seconds));
            (double seconds, RestoreResult median) = samples[Percentiles.RankIndex(samples.Count, 0.5)];
            var t = median.Details.Timings;
            return new Result(
                seconds,
                t.Decode.ToTimeSpan().TotalSeconds,
                t.Inference.ToTimeSpan().TotalSeconds,
                t.Tiling.ToTimeSpan().TotalSeconds,
                t.Encode.ToTimeSpan().TotalSeconds,
                t.Total.ToTimeSpan().TotalSeconds,
                median.Image.Length);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
