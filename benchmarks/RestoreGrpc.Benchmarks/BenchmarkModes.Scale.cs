using System.CommandLine;
using static RestoreGrpc.Benchmarks.BenchmarkOptions;

namespace RestoreGrpc.Benchmarks;

/// <summary>The modes that measure the server as a service: several instances, a long soak, tenant isolation.</summary>
internal static partial class BenchmarkModes
{
    private static RootCommand Fleet()
    {
        Option<int> runs = Runs(3, "Interleaved rounds.");
        Option<double> seconds = Double("--seconds", 4, "Seconds per measurement.", "S");
        Option<int> concurrency = Int("--concurrency", 8, "Calls in flight.");
        Option<int> size = Int("--size", 96, "Edge of the noise PNG sent (pixels).", "PIXELS");
        var command = new RootCommand("Several instances behind the SDK's balancer (issue 15): throughput with 1, 2, 3 instances and the failover gap.")
        {
            Flag("--fleet", "Run this mode."), runs, seconds, concurrency, size,
        };
        command.SetAction((result, _) => FleetBenchmark.RunAsync(result.GetValue(runs), result.GetValue(seconds), result.GetValue(concurrency), result.GetValue(size)));
        return command;
    }

    private static RootCommand SoakMode()
    {
        Option<string> models = Models();
        Option<string> image = Image();
        Option<string> serverDll = ServerDll();
        Option<double> minutes = Double("--minutes", 10, "Length of the run.", "MIN");
        Option<int> clients = Int("--clients", 64, "Concurrent clients.");
        Option<double> warmup = Double("--warmup-minutes", 2, "Warm-up excluded from the growth figure (at most a third of the run).", "MIN");
        Option<string[]> serverArg = ServerArguments();
        Option<string?> output = new("--out") { Description = "Also write the report to this file.", HelpName = "FILE" };
        var command = new RootCommand("Soak (issue 14): many clients for minutes of mixed sizes and models; requests, errors by status, RSS and thread pool every 10 s.")
        {
            Flag("--soak", "Run this mode."), models, image, serverDll, minutes, clients, warmup, serverArg, output,
        };
        command.SetAction((result, _) => Soak.RunAsync(
            result.GetValue(minutes),
            result.GetValue(clients),
            result.GetValue(warmup),
            result.GetRequiredValue(serverDll),
            ServerSettings(result.GetRequiredValue(serverArg)),
            result.GetRequiredValue(models),
            result.GetRequiredValue(image),
            result.GetValue(output)));
        return command;
    }

    private static RootCommand TenantFloodMode()
    {
        Option<string> models = Models();
        Option<int> rounds = Int("--rounds", 3, "Interleaved rounds (quiet alone, then beside the flood).");
        Option<int> seconds = Int("--seconds", 10, "Seconds per window.", "S");
        Option<int> floodClients = Int("--flood-clients", 32, "Clients of the flooding tenant.");
        Option<int> size = Int("--size", 256, "Edge of the PNG sent (pixels).", "PIXELS");
        Option<string[]> serverArg = ServerArguments();
        var command = new RootCommand("Tenant isolation (issue 14): a quiet tenant's p99 alone vs beside a flooding tenant (default quota Restore:Quotas:MaxConcurrentUnary=2).")
        {
            Flag("--tenant-flood", "Run this mode."), models, rounds, seconds, floodClients, size, serverArg,
        };
        command.SetAction((result, _) =>
        {
            string[] settings = ServerSettings(result.GetRequiredValue(serverArg));
            return TenantFlood.RunAsync(
                result.GetValue(rounds),
                result.GetValue(seconds),
                result.GetValue(floodClients),
                result.GetValue(size),
                settings.Length > 0 ? settings : ["--Restore:Quotas:MaxConcurrentUnary=2"],
                result.GetRequiredValue(models));
        });
        return command;
    }

    private static Option<string[]> ServerArguments() => new("--server-arg")
    {
        Description = "A server setting KEY=VALUE (passed as --KEY=VALUE); repeatable.",
        HelpName = "KEY=VALUE",
        DefaultValueFactory = _ => [],
    };

    private static string[] ServerSettings(string[] keyValues) => [.. keyValues.Select(setting => "--" + setting)];
}
