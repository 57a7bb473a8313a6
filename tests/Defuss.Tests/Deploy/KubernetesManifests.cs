using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Defuss.Tests.Deploy;

/// <summary>Every document of every manifest under <c>deploy/kubernetes/</c>, parsed with YamlDotNet.</summary>
internal sealed class KubernetesManifests
{
    private KubernetesManifests(IReadOnlyList<(string File, YamlMappingNode Document)> documents) => Documents = documents;

    public static string Folder => DeployFiles.PathOf("kubernetes");

    public IReadOnlyList<(string File, YamlMappingNode Document)> Documents { get; }

    /// <summary>Loads every <c>.yaml</c> and <c>.yml</c> file of the folder; a document that is not a mapping fails the load.</summary>
    public static KubernetesManifests Load()
    {
        var documents = new List<(string, YamlMappingNode)>();
        foreach (var path in Directory.EnumerateFiles(Folder).Where(p => p.EndsWith(".yaml", StringComparison.Ordinal) || p.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(path);
            var stream = new YamlStream();
            stream.Load(reader);
            foreach (var document in stream.Documents)
            {
                documents.Add((Path.GetFileName(path), document.RootNode as YamlMappingNode
                    ?? throw new InvalidDataException($"{Path.GetFileName(path)}: a document is not a mapping")));
            }
        }

        return new KubernetesManifests(documents);
    }

    /// <summary>The one document of kind <paramref name="kind"/>.</summary>
    public YamlMappingNode Single(string kind) => Documents.Select(d => d.Document).Should().ContainSingle(d => d.Text("kind") == kind).Subject;

    /// <summary>The Deployment's one container.</summary>
    public YamlMappingNode Container => Single("Deployment").Path("spec", "template", "spec").Sequence("containers").Should().ContainSingle().Subject;

    /// <summary>
    /// The container's environment: plain values as written, and a value from a Secret (<c>secretKeyRef</c>) as that
    /// Secret's document in the folder gives it, so that the settings are those a pod would get.
    /// </summary>
    public IReadOnlyDictionary<string, string> ContainerEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in Container.Sequence("env"))
        {
            var name = variable.Text("name")!;
            if (variable.Text("value") is { } value)
            {
                environment[name] = value;
                continue;
            }

            var reference = variable.Path("valueFrom", "secretKeyRef");
            environment[name] = SecretValue(reference.Text("name")!, reference.Text("key")!);
        }

        return environment;
    }

    /// <summary>The value under <paramref name="key"/> of the Secret named <paramref name="name"/> in the folder.</summary>
    public string SecretValue(string name, string key)
    {
        var secret = Documents.Select(d => d.Document).Should()
            .ContainSingle(d => d.Text("kind") == "Secret" && d.Path("metadata").Text("name") == name, $"the Secret {name} the Deployment refers to is in the folder").Subject;
        if (secret.Has("stringData") && secret.Path("stringData").Text(key) is { } text)
        {
            return text;
        }

        return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret.Path("data").Text(key)!));
    }

    /// <summary>The container port a probe or a Service names: a port name of the container, or a number.</summary>
    public int ContainerPort(string nameOrNumber)
    {
        if (int.TryParse(nameOrNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var port = Container.Sequence("ports").Should().ContainSingle(p => p.Text("name") == nameOrNumber, $"the container names a port '{nameOrNumber}'").Subject;
        return int.Parse(port.Text("containerPort")!, CultureInfo.InvariantCulture);
    }
}

/// <summary>Reading a parsed YAML document.</summary>
internal static class YamlNodes
{
    /// <summary>The mapping at <paramref name="keys"/> below <paramref name="node"/>; fails naming the key that is missing.</summary>
    public static YamlMappingNode Path(this YamlMappingNode node, params string[] keys)
    {
        foreach (var key in keys)
        {
            node.Children.Should().ContainKey(new YamlScalarNode(key));
            node = node.Children[new YamlScalarNode(key)].Should().BeOfType<YamlMappingNode>().Subject;
        }

        return node;
    }

    /// <summary>The mappings of the sequence under <paramref name="key"/>, or none when the key is missing.</summary>
    public static IReadOnlyList<YamlMappingNode> Sequence(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? value.Should().BeOfType<YamlSequenceNode>().Subject.Children.Select(c => c.Should().BeOfType<YamlMappingNode>().Subject).ToArray()
            : [];

    /// <summary>The text of the scalar under <paramref name="key"/>, or null when the key is missing.</summary>
    public static string? Text(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value.Should().BeOfType<YamlScalarNode>().Subject.Value : null;

    /// <summary>The texts of the sequence of scalars under <paramref name="key"/>, or none when the key is missing.</summary>
    public static IReadOnlyList<string> Texts(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? value.Should().BeOfType<YamlSequenceNode>().Subject.Children.Select(c => c.Should().BeOfType<YamlScalarNode>().Subject.Value!).ToArray()
            : [];

    /// <summary>Whether <paramref name="node"/> has <paramref name="key"/>.</summary>
    public static bool Has(this YamlMappingNode node, string key) => node.Children.ContainsKey(new YamlScalarNode(key));
}
