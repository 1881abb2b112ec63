using System.Text.Json;
using System.Text.RegularExpressions;
using RestoreGrpc.Client;
using RestoreGrpc.Core.Telemetry;
using RestoreGrpc.TestSupport;
using YamlDotNet.RepresentationModel;

namespace RestoreGrpc.IntegrationTests.Telemetry;

/// <summary>
/// deploy/ cannot run here (no container engine), so what can be checked is: every YAML and JSON file parses, the
/// compose file has the five services and its mounted files exist, and every metric the Grafana dashboard queries
/// exists in a real scrape of the server's /metrics.
/// </summary>
public sealed partial class DeployConfigurationTests
{
    private static readonly string Deploy = Path.Combine(CheckoutRoot(), "deploy");

    [Fact]
    public void Every_YAML_and_JSON_file_parses_and_the_compose_file_runs_the_whole_stack()
    {
        // deploy/kubernetes/validate's npm packages are not deploy files.
        bool Ours(string file) => !file.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
        string[] yaml = [.. Directory.EnumerateFiles(Deploy, "*.y*ml", SearchOption.AllDirectories).Where(Ours)];
        string[] json = [.. Directory.EnumerateFiles(Deploy, "*.json", SearchOption.AllDirectories).Where(Ours)];
        Assert.True(yaml.Length >= 5, $"expected compose, collector, prometheus and two grafana provisioning files, found {yaml.Length}");
        Assert.NotEmpty(json);
        foreach (string file in yaml)
        {
            new YamlStream().Load(new StringReader(File.ReadAllText(file)));
        }

        foreach (string file in json)
        {
            // The Kubernetes catalog is a copy of the server's appsettings.json, comments included.
            using JsonDocument _ = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }

        var compose = new YamlStream();
        compose.Load(new StringReader(File.ReadAllText(Path.Combine(Deploy, "compose.yaml"))));
        var services = (YamlMappingNode)((YamlMappingNode)compose.Documents[0].RootNode)["services"];
        Assert.Equal(
            new[] { "grafana", "jaeger", "otel-collector", "prometheus", "server" },
            services.Children.Keys.Select(k => k.ToString()).Order());

        // Every file or folder the services mount from here exists.
        IEnumerable<string> mounts = services.Children.Values.Cast<YamlMappingNode>()
            .Where(service => service.Children.ContainsKey("volumes"))
            .SelectMany(service => ((YamlSequenceNode)service["volumes"]).Children.Select(v => v.ToString().Split(':')[0]))
            .Where(source => source.StartsWith("./", StringComparison.Ordinal));
        Assert.All(mounts, source => Assert.True(Path.Exists(Path.Combine(Deploy, source)), $"{source} is mounted but missing"));
        Assert.True(File.Exists(Path.Combine(Deploy, "Dockerfile")));
    }

    [Fact]
    public async Task Every_metric_the_dashboard_queries_exists_in_a_real_scrape_of_the_server()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        IReadOnlySet<string> queried = DashboardMetrics();
        Assert.NotEmpty(queried);

        IReadOnlySet<string> scraped;
        await using (LoopbackServer server = await LoopbackServer.StartAsync(LoopbackServer.WithMetrics))
        {
            // One restore so that every histogram and counter has a sample.
            await server.Client.RestoreAsync(SyntheticImages.AlphaGradientPng(24, 16), new RestoreOptions { Model = "builtin-lanczos-x4" }, ct);
            using var http = new HttpClient();
            scraped = MetricsScrape.SeriesNames(await http.GetStringAsync(server.MetricsAddress, ct));
        }

        // GPU gauges exist only where NVML finds a GPU.
        using NvmlGpuMonitor gpus = NvmlGpuMonitor.Open();
        var missing = queried.Where(name => !scraped.Contains(name) && !(gpus.DeviceCount == 0 && name.StartsWith("hw_gpu_", StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, $"the dashboard queries metrics the server does not export: {string.Join(", ", missing)}");
        Assert.Contains(queried, name => name.StartsWith("hw_gpu_", StringComparison.Ordinal));
    }

    /// <summary>Metric names in the dashboard's PromQL: every selector is written <c>name{…}</c>.</summary>
    private static HashSet<string> DashboardMetrics()
    {
        using JsonDocument dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Deploy, "grafana", "dashboards", "restoregrpc.json")));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonElement panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (JsonElement target in panel.GetProperty("targets").EnumerateArray())
            {
                string expr = target.GetProperty("expr").GetString()!;
                MatchCollection selectors = Selector().Matches(expr);
                Assert.True(selectors.Count > 0, $"no metric selector written as name{{…}} in: {expr}");
                names.UnionWith(selectors.Select(m => m.Groups[1].Value));
            }
        }

        return names;
    }

    /// <summary>The checkout's root folder (the one holding RestoreGrpc.sln) above the test binaries.</summary>
    internal static string CheckoutRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RestoreGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the checkout (RestoreGrpc.sln) is not above the test binaries");
    }

    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")]
    private static partial Regex Selector();
}
