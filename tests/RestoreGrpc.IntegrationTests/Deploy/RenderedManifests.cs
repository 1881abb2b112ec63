using System.Text;
using RestoreGrpc.TestSupport;
using YamlDotNet.RepresentationModel;

namespace RestoreGrpc.IntegrationTests.Deploy;

/// <summary>The objects one kustomization under <c>deploy/kubernetes</c> renders to (<c>kubectl kustomize</c>).</summary>
internal sealed class RenderedManifests
{
    private RenderedManifests(string kustomization, IReadOnlyList<YamlMappingNode> objects)
    {
        Kustomization = kustomization;
        Objects = objects;
    }

    /// <summary>The folder, relative to deploy/kubernetes (e.g. <c>overlays/cpu</c>).</summary>
    public string Kustomization { get; }

    public IReadOnlyList<YamlMappingNode> Objects { get; }

    public static string Root => Checkout.Combine("deploy/kubernetes");

    /// <summary>Every folder with a kustomization.yaml under overlays/ and examples/.</summary>
    public static IEnumerable<string> Kustomizations() =>
        new[] { "overlays", "examples" }
            .SelectMany(folder => Directory.EnumerateDirectories(Path.Combine(Root, folder)))
            .Where(dir => File.Exists(Path.Combine(dir, "kustomization.yaml")))
            .Select(dir => Path.GetRelativePath(Root, dir))
            .Order(StringComparer.Ordinal);

    /// <summary>Renders with the kubectl on PATH (skipped, or failed under CI=true, without one).</summary>
    public static RenderedManifests Render(string kustomization)
    {
        string kubectl = RequiredTool.Find("kubectl", "apt: kubernetes-client; deploy/kubernetes needs kustomize v4+, kubectl 1.21+");
        string yaml = Encoding.UTF8.GetString(ToolProcess.Run(kubectl, $"kustomize {Path.Combine(Root, kustomization)}", []));
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return new RenderedManifests(kustomization, [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)]);
    }

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Objects.Where(o => Scalar(o, "kind") == kind);

    public YamlMappingNode Single(string kind) => Assert.Single(OfKind(kind));

    /// <summary>The Deployment's server container.</summary>
    public YamlMappingNode Server =>
        Sequence(Single("Deployment"), "spec", "template", "spec", "containers").Cast<YamlMappingNode>().Single(c => Scalar(c, "name") == "server");

    public YamlMappingNode PodSpec => Mapping(Single("Deployment"), "spec", "template", "spec")!;

    /// <summary>The server container's literal environment variables (not those from field or secret refs).</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        Sequence(Server, "env").Cast<YamlMappingNode>()
            .Where(e => e.Children.ContainsKey("value"))
            .ToDictionary(e => Scalar(e, "name")!, e => Scalar(e, "value")!, StringComparer.Ordinal);

    /// <summary>The server container's port number by port name.</summary>
    public IReadOnlyDictionary<string, int> ContainerPorts =>
        Sequence(Server, "ports").Cast<YamlMappingNode>().ToDictionary(p => Scalar(p, "name")!, p => int.Parse(Scalar(p, "containerPort")!, System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);

    public static YamlMappingNode? Mapping(YamlNode node, params string[] path) => Node(node, path) as YamlMappingNode;

    public static IEnumerable<YamlNode> Sequence(YamlNode node, params string[] path) =>
        Node(node, path) is YamlSequenceNode sequence ? sequence.Children : [];

    public static string? Scalar(YamlNode node, params string[] path) => (Node(node, path) as YamlScalarNode)?.Value;

    private static YamlNode? Node(YamlNode node, string[] path)
    {
        YamlNode? current = node;
        foreach (string key in path)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out current))
            {
                return null;
            }
        }

        return current;
    }

    public override string ToString() => Kustomization;
}
