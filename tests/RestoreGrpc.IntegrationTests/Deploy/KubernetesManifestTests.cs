using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using RestoreGrpc.IntegrationTests.Security;
using RestoreGrpc.IntegrationTests.Telemetry;
using RestoreGrpc.Server.Health;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.TestSupport;
using YamlDotNet.RepresentationModel;
using static RestoreGrpc.IntegrationTests.Deploy.RenderedManifests;

namespace RestoreGrpc.IntegrationTests.Deploy;

/// <summary>
/// What deploy/kubernetes says about the server, checked against the server: every overlay and example is rendered
/// with <c>kubectl kustomize</c> and a real server is started with the settings its Deployment gives (Kestrel
/// endpoints moved to free loopback ports); the probes must get SERVING from the health service names they ask on
/// the port they name, the scrape port must serve /metrics, and every metric the autoscalers query must be in that
/// scrape. The objects' schemas are checked by deploy/kubernetes/test.sh.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private const long MiB = 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kustomizations => [.. RenderedManifests.Kustomizations()];

    [Fact]
    public void The_cpu_and_nvidia_gpu_overlays_exist_and_every_kustomization_is_checked_here()
    {
        Assert.Subset(Kustomizations.Select(row => row.Data).ToHashSet(), new HashSet<string> { "overlays/cpu", "overlays/nvidia-gpu" });
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task A_server_with_the_Deployments_settings_answers_its_probes_and_exports_what_the_scrape_and_the_autoscaler_use(string kustomization)
    {
        RenderedManifests rendered = Render(kustomization);
        IReadOnlyDictionary<string, int> ports = rendered.ContainerPorts;

        // The probes: liveness and startup ask the empty service, readiness the RestoreService, all on one port.
        (string Service, int Port) liveness = GrpcProbe(rendered.Server, "livenessProbe");
        (string Service, int Port) startup = GrpcProbe(rendered.Server, "startupProbe");
        (string Service, int Port) readiness = GrpcProbe(rendered.Server, "readinessProbe");
        Assert.Equal(HealthServices.Liveness, liveness.Service);
        Assert.Equal(HealthServices.Liveness, startup.Service);
        Assert.Equal(HealthServices.Readiness, readiness.Service);
        Assert.Equal(liveness.Port, readiness.Port);
        Assert.Equal(liveness.Port, startup.Port);
        Assert.Contains(liveness.Port, ports.Values);

        // Prometheus finds the metrics port by annotation and through the ServiceMonitor → Service → container port.
        int metricsPort = ports["metrics"];
        YamlMappingNode podMetadata = Mapping(rendered.Single("Deployment"), "spec", "template", "metadata")!;
        Assert.Equal("true", Scalar(podMetadata, "annotations", "prometheus.io/scrape"));
        Assert.Equal(metricsPort.ToString(CultureInfo.InvariantCulture), Scalar(podMetadata, "annotations", "prometheus.io/port"));
        Assert.Equal("/metrics", Scalar(podMetadata, "annotations", "prometheus.io/path"));
        foreach (YamlMappingNode monitor in rendered.OfKind("ServiceMonitor"))
        {
            YamlMappingNode endpoint = (YamlMappingNode)Assert.Single(Sequence(monitor, "spec", "endpoints"));
            Assert.Equal("/metrics", Scalar(endpoint, "path"));
            YamlMappingNode service = rendered.OfKind("Service").Single(s => Sequence(s, "spec", "ports").Any(p => Scalar(p, "name") == Scalar(endpoint, "port")));
            YamlNode port = Sequence(service, "spec", "ports").Single(p => Scalar(p, "name") == Scalar(endpoint, "port"));
            Assert.Equal("metrics", Scalar(port, "targetPort"));
        }

        // The server, started with those settings (ports moved to free loopback ports; TLS with a test certificate).
        using var temp = new TempDirectory();
        var loopback = new Dictionary<int, int>();
        string[] settings = ServerSettings(rendered.Environment, temp, loopback);
        await using LoopbackServer server = await LoopbackServer.StartAsync(settings);

        Assert.True(loopback.ContainsKey(liveness.Port), $"no Kestrel endpoint listens on the probes' port {liveness.Port}");
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{loopback[liveness.Port]}");
        var health = new Health.HealthClient(channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = liveness.Service }, cancellationToken: Ct)).Status);
        HealthCheckResponse.Types.ServingStatus ready = HealthCheckResponse.Types.ServingStatus.Unknown;
        for (int i = 0; i < 300 && ready != HealthCheckResponse.Types.ServingStatus.Serving; i++)
        {
            ready = (await health.CheckAsync(new HealthCheckRequest { Service = readiness.Service }, cancellationToken: Ct)).Status;
            await Task.Delay(100, Ct);
        }

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, ready);

        Assert.True(loopback.ContainsKey(metricsPort), $"no Kestrel endpoint listens on the metrics port {metricsPort}");
        using var http = new HttpClient();
        string scrape = await http.GetStringAsync(new Uri($"http://127.0.0.1:{loopback[metricsPort]}/metrics"), Ct);
        IReadOnlySet<string> series = MetricsScrape.SeriesNames(scrape);
        IReadOnlySet<string> autoscaled = AutoscalerMetrics(rendered);
        Assert.NotEmpty(autoscaled);
        Assert.All(autoscaled, name => Assert.True(series.Contains(name), $"the autoscaler queries {name}, which the server does not export"));

        // The request memory budget the server applies is the one the memory limit was sized for.
        long budget = long.Parse(rendered.Environment["Restore__Memory__MaxInFlightMegabytes"], CultureInfo.InvariantCulture) * MiB;
        Assert.Equal(budget, server.Services.GetRequiredService<RestoreGrpc.Core.Memory.MemoryBudget>().CapacityBytes);
        // The gauge sums every server's budget in this process (tests run many), so it holds at least this one's.
        Assert.True(Gauge(scrape, "restoregrpc_inflight_limit_bytes") >= budget, "the budget gauge does not count this server's budget");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void The_memory_limit_holds_the_request_budget_and_GPU_pods_ask_for_a_GPU_on_GPU_nodes(string kustomization)
    {
        RenderedManifests rendered = Render(kustomization);
        IReadOnlyDictionary<string, string> env = rendered.Environment;
        long budget = long.Parse(env["Restore__Memory__MaxInFlightMegabytes"], CultureInfo.InvariantCulture) * MiB;
        long limit = Quantity(Scalar(rendered.Server, "resources", "limits", "memory"));
        long request = Quantity(Scalar(rendered.Server, "resources", "requests", "memory"));
        // Peak RSS is the budget plus what it does not see (runtime, models, Kestrel's buffers: README "Memory").
        Assert.True(limit >= 2 * budget, $"memory limit {limit / MiB} MiB is under twice the request budget of {budget / MiB} MiB");
        Assert.True(request >= budget && request <= limit, $"memory request {request / MiB} MiB is not between the budget and the limit");

        string? gpus = Scalar(rendered.Server, "resources", "limits", "nvidia.com/gpu");
        string provider = env["Restore__Models__ExecutionProvider"];
        if (gpus is null)
        {
            Assert.Equal("Cpu", provider);
            return;
        }

        Assert.Equal("Cuda", provider);
        Assert.Equal(gpus, Scalar(rendered.Server, "resources", "requests", "nvidia.com/gpu"));
        Assert.Equal("true", Scalar(rendered.PodSpec, "nodeSelector", "nvidia.com/gpu.present"));
        Assert.Contains(Sequence(rendered.PodSpec, "tolerations"), t => Scalar(t, "key") == "nvidia.com/gpu" && Scalar(t, "operator") == "Exists");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void The_grace_period_covers_the_pre_stop_pause_and_the_servers_drain(string kustomization)
    {
        RenderedManifests rendered = Render(kustomization);
        int grace = int.Parse(Scalar(rendered.PodSpec, "terminationGracePeriodSeconds")!, CultureInfo.InvariantCulture);
        double drain = double.Parse(rendered.Environment["Restore__Server__DrainSeconds"], CultureInfo.InvariantCulture);
        int pause = int.Parse(Sequence(rendered.Server, "lifecycle", "preStop", "exec", "command").Cast<YamlScalarNode>().Last().Value!, CultureInfo.InvariantCulture);
        // The host stops a few seconds after the drain (RestoreServerOptions.DrainSeconds): 5 s of room for that.
        Assert.True(grace >= pause + drain + 5, $"terminationGracePeriodSeconds {grace} < preStop {pause} s + drain {drain} s + 5 s");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void The_Services_and_the_budget_select_the_server_pods_by_port_name(string kustomization)
    {
        RenderedManifests rendered = Render(kustomization);
        YamlMappingNode labels = Mapping(rendered.Single("Deployment"), "spec", "template", "metadata", "labels")!;
        bool Selects(YamlMappingNode? selector) =>
            selector is not null && selector.Children.All(pair => labels.Children.TryGetValue(pair.Key, out YamlNode? value) && value.ToString() == pair.Value.ToString());

        YamlMappingNode[] services = [.. rendered.OfKind("Service")];
        Assert.Equal(2, services.Length);
        YamlMappingNode headless = Assert.Single(services, s => Scalar(s, "spec", "clusterIP") == "None");
        YamlMappingNode clusterIp = Assert.Single(services, s => Scalar(s, "spec", "type") == "ClusterIP");
        Assert.Contains(Sequence(headless, "spec", "ports"), p => Scalar(p, "name") == "grpc");
        Assert.Equal(new[] { "grpc", "metrics" }, Sequence(clusterIp, "spec", "ports").Select(p => Scalar(p, "name")).Order());
        foreach (YamlMappingNode service in services)
        {
            Assert.True(Selects(Mapping(service, "spec", "selector")), $"{Scalar(service, "metadata", "name")} does not select the server pods");
            Assert.All(Sequence(service, "spec", "ports"), p => Assert.True(rendered.ContainerPorts.ContainsKey(Scalar(p, "targetPort")!), $"targetPort {Scalar(p, "targetPort")} is no container port"));
        }

        Assert.True(Selects(Mapping(rendered.Single("PodDisruptionBudget"), "spec", "selector", "matchLabels")), "the PodDisruptionBudget does not select the server pods");
    }

    [Fact]
    public void The_manifests_copies_of_the_catalog_and_the_model_list_are_the_checkouts()
    {
        // kustomize reads only files below its folder, so deploy/kubernetes/base carries copies.
        foreach ((string copy, string original) in new[]
        {
            ("base/catalog/appsettings.json", "src/RestoreGrpc.Server/appsettings.json"),
            ("base/models/fetch-models.sh", "scripts/fetch-models.sh"),
            ("base/models/models.sha256", "scripts/models.sha256"),
        })
        {
            Assert.True(
                File.ReadAllText(Checkout.Combine(original)) == File.ReadAllText(Path.Combine(Root, copy)),
                $"deploy/kubernetes/{copy} differs from {original}: cp {original} deploy/kubernetes/{copy}");
        }
    }

    /// <summary>The server's command-line settings for a Deployment's environment: Restore and Kestrel keys, with
    /// every endpoint on a free loopback port (<paramref name="loopback"/>: container port → that port) and TLS
    /// files replaced by a test certificate. The models folder and the CPU provider stay the test server's.</summary>
    private static string[] ServerSettings(IReadOnlyDictionary<string, string> environment, TempDirectory temp, Dictionary<int, int> loopback)
    {
        var settings = new List<string>();
        foreach ((string name, string value) in environment)
        {
            string key = name.Replace("__", ":", StringComparison.Ordinal);
            if (!key.StartsWith("Restore:", StringComparison.Ordinal) && !key.StartsWith("Kestrel:", StringComparison.Ordinal))
            {
                continue;
            }

            string setting = value;
            if (key is "Restore:Models:Directory" or "Restore:Models:ExecutionProvider"
                || (key == "Restore:Server:DrainSeconds" && typeof(RestoreServerOptions).GetProperty("DrainSeconds") is null))
            {
                // The drain setting arrives with the server's graceful drain (RestoreServerOptions.DrainSeconds); a build
                // without it would refuse the key as unknown.
                continue;
            }

            if (key.StartsWith("Kestrel:Endpoints:", StringComparison.Ordinal) && key.EndsWith(":Url", StringComparison.Ordinal))
            {
                var url = new Uri(value);
                int port = loopback[url.Port] = LoopbackPorts.Free();
                setting = $"{url.Scheme}://127.0.0.1:{port}";
            }
            else if (key == "Restore:Tls:CertificatePath")
            {
                (setting, _) = TestCertificate(temp);
            }
            else if (key == "Restore:Tls:KeyPath")
            {
                (_, setting) = TestCertificate(temp);
            }

            settings.Add($"--{key}={setting}");
        }

        return [.. settings];
    }

    private static (string Certificate, string Key) TestCertificate(TempDirectory temp)
    {
        string certificate = temp.Combine("server.crt"), key = temp.Combine("server.key");
        if (!File.Exists(certificate))
        {
            using var authority = TestCertificates.CreateAuthority("kubernetes-manifest-test-ca");
            using var server = TestCertificates.IssueServer(authority);
            return TestCertificates.WritePem(server, temp.Path, "server");
        }

        return (certificate, key);
    }

    private static (string Service, int Port) GrpcProbe(YamlMappingNode container, string probe)
    {
        YamlMappingNode grpc = Mapping(container, probe, "grpc") ?? throw new Xunit.Sdk.XunitException($"{probe} is not a native gRPC probe");
        return (Scalar(grpc, "service") ?? string.Empty, int.Parse(Scalar(grpc, "port")!, CultureInfo.InvariantCulture));
    }

    /// <summary>Metric names the KEDA triggers' PromQL selects (<c>name{…}</c>) and the HPA's external metrics name.</summary>
    private static HashSet<string> AutoscalerMetrics(RenderedManifests rendered)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (YamlMappingNode scaled in rendered.OfKind("ScaledObject"))
        {
            foreach (YamlNode trigger in Sequence(scaled, "spec", "triggers"))
            {
                Assert.Equal("prometheus", Scalar(trigger, "type"));
                string query = Scalar(trigger, "metadata", "query")!;
                MatchCollection selectors = Selector().Matches(query);
                Assert.True(selectors.Count > 0, $"no metric selector written as name{{…}} in: {query}");
                names.UnionWith(selectors.Select(m => m.Groups[1].Value));
            }
        }

        foreach (YamlMappingNode hpa in rendered.OfKind("HorizontalPodAutoscaler"))
        {
            names.UnionWith(Sequence(hpa, "spec", "metrics").Select(m => Scalar(m, "external", "metric", "name")!));
        }

        return names;
    }

    private static double Gauge(string exposition, string name) =>
        exposition.Split('\n')
            .Where(line => line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal))
            .Select(line => double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture))
            .Single();

    /// <summary>A Kubernetes memory quantity (Mi, Gi, or bytes) in bytes.</summary>
    private static long Quantity(string? quantity)
    {
        Assert.NotNull(quantity);
        Match match = QuantityPattern().Match(quantity);
        Assert.True(match.Success, $"unexpected quantity {quantity}");
        long number = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "Ki" => number * 1024,
            "Mi" => number * MiB,
            "Gi" => number * 1024 * MiB,
            "Ti" => number * 1024 * 1024 * MiB,
            _ => number,
        };
    }

    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")]
    private static partial Regex Selector();

    [GeneratedRegex(@"^([0-9]+)(Ki|Mi|Gi|Ti)?$")]
    private static partial Regex QuantityPattern();
}
