using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using RestoreGrpc.Client;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RestoreGrpc.Benchmarks;

/// <summary>
/// Several server processes behind the SDK's round-robin balancer (issue 15), with the built-in resampler so the hosts
/// are measured, not a model: unary throughput with 1, 2 and 3 instances (rounds interleaved, so machine load hits
/// each count alike), then the failover gap: the longest time without a completed response around a SIGKILL of one
/// instance and a SIGTERM (drain) of another, with the failed calls counted.
///   --fleet [--runs ROUNDS] [--seconds PER_MEASUREMENT] [--concurrency CALLS] [--size EDGE]
/// </summary>
internal static class FleetBenchmark
{
    private const string Model = "builtin-lanczos-x4";

    public static async Task RunAsync(int rounds, double seconds, int concurrency, int size)
    {
        byte[] image = NoisePng(size);
        string server = Path.Combine(AppContext.BaseDirectory, "RestoreGrpc.Server.dll");
        string noModels = Directory.CreateTempSubdirectory("restoregrpc-fleet-").FullName;
        string[] extra = ["--Restore:Models:DownloadMissing=false", "--Restore:Server:DrainSeconds=2"];

        var servers = new List<ServerProcess>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                servers.Add(await ServerProcess.StartAsync(server, noModels, Model, 1, extra));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{size}x{size} PNG → ×4 with {Model}, {concurrency} calls in flight, {seconds:0.#} s per measurement, {rounds} interleaved rounds, {Environment.ProcessorCount} cores"));
            Console.WriteLine();
            Console.WriteLine("| instances | requests/s (median) | rounds |");
            Console.WriteLine("|---|---|---|");
            var rates = new Dictionary<int, List<double>> { [1] = [], [2] = [], [3] = [] };
            for (int round = 0; round < rounds; round++)
            {
                foreach (int count in new[] { 1, 2, 3 })
                {
                    using RestoreClient client = Balanced(servers.Take(count));
                    Load load = await RunLoadAsync(client, image, concurrency, TimeSpan.FromSeconds(seconds), faults: null);
                    rates[count].Add(load.Completed.Count / seconds);
                }
            }

            foreach ((int count, List<double> values) in rates)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {count} | {Percentiles.Median(values):F1} | {string.Join(" / ", values.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))} |"));
            }

            using RestoreClient fleet = Balanced(servers);
            TimeSpan killAt = TimeSpan.FromSeconds(seconds), drainAt = TimeSpan.FromSeconds(2 * seconds);
            Load failover = await RunLoadAsync(fleet, image, concurrency, TimeSpan.FromSeconds(3 * seconds), async clock =>
            {
                await Task.Delay(killAt - clock.Elapsed);
                servers[0].Kill();
                await Task.Delay(drainAt - clock.Elapsed);
                servers[1].Terminate();
            });
            Console.WriteLine();
            Console.WriteLine("| window | longest gap without a completed response | completed | failed |");
            Console.WriteLine("|---|---|---|---|");
            Row("steady, 3 instances", failover, TimeSpan.FromSeconds(1), killAt);
            Row("SIGKILL of one instance (3 → 2)", failover, killAt, drainAt);
            Row("SIGTERM drain of another (2 → 1)", failover, drainAt, TimeSpan.FromSeconds(3 * seconds));
        }
        finally
        {
            foreach (ServerProcess instance in servers)
            {
                await instance.DisposeAsync();
            }

            Directory.Delete(noModels, recursive: true);
        }
    }

    private static RestoreClient Balanced(IEnumerable<ServerProcess> servers)
    {
        var options = new RestoreClientOptions { MaxAttempts = 5 };
        foreach (ServerProcess server in servers)
        {
            options.Addresses.Add(server.Address);
        }

        return new RestoreClient(options);
    }

    private static void Row(string window, Load load, TimeSpan from, TimeSpan to)
    {
        TimeSpan[] times = [from, .. load.Completed.Where(t => t > from && t < to).Order(), to];
        TimeSpan gap = times.Zip(times.Skip(1), (a, b) => b - a).Max();
        int failed = load.Failed.Count(t => t >= from && t < to);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {window} | {gap.TotalMilliseconds:F0} ms | {times.Length - 2} | {failed} |"));
    }

    private static async Task<Load> RunLoadAsync(RestoreClient client, byte[] image, int concurrency, TimeSpan duration, Func<Stopwatch, Task>? faults)
    {
        var options = new RestoreOptions { Model = Model, Format = OutputFormat.Png };
        var clock = Stopwatch.StartNew();
        var load = new Load();
        Task[] workers = [.. Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                try
                {
                    await client.RestoreAsync(image, options);
                    load.Add(load.Completed, clock.Elapsed);
                }
                catch (RpcException e)
                {
                    load.Add(load.Failed, clock.Elapsed);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"failed at {clock.Elapsed.TotalSeconds:F2} s: {e.Status}"));
                }
            }
        }))];
        if (faults is not null)
        {
            await faults(clock);
        }

        await Task.WhenAll(workers);
        return load;
    }

    private static byte[] NoisePng(int size)
    {
        using var picture = new Image<Rgb24>(size, size);
        var random = new Random(15);
        picture.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                foreach (ref Rgb24 pixel in rows.GetRowSpan(y))
                {
                    pixel = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                }
            }
        });
        using var png = new MemoryStream();
        picture.SaveAsPng(png);
        return png.ToArray();
    }

    private sealed class Load
    {
        private readonly Lock _lock = new();

        public List<TimeSpan> Completed { get; } = [];

        public List<TimeSpan> Failed { get; } = [];

        public void Add(List<TimeSpan> list, TimeSpan at)
        {
            lock (_lock)
            {
                list.Add(at);
            }
        }
    }
}
