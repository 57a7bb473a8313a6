using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Defuss.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/: no cluster runs here, so these check the manifests against what Defuss does: the probes, ports,
/// grace period and scrape annotations must agree with the settings the pod gives the primary.
/// </summary>
public sealed class KubernetesManifestTests
{
    private readonly KubernetesManifests _manifests = KubernetesManifests.Load();

    [Fact]
    public void EveryDocument_Parses_AndIsAKubernetesObjectWithAName()
    {
        _manifests.Documents.Select(d => d.File).Distinct().Should().BeEquivalentTo("deployment.yaml", "service.yaml", "secret.yaml");
        foreach (var (file, document) in _manifests.Documents)
        {
            document.Text("apiVersion").Should().NotBeNullOrEmpty(file);
            document.Text("kind").Should().NotBeNullOrEmpty(file);
            document.Path("metadata").Text("name").Should().NotBeNullOrEmpty(file);
        }
    }

    [Fact]
    public void ContainerSettings_AreValidForDefuss()
    {
        DeployFiles.ShouldBeValid(DeployFiles.OptionsFrom(_manifests.ContainerEnvironment()), "deployment.yaml");
    }

    [Fact]
    public void Probes_AskReadyzAndHealthz_OnThePortOfTheAdminUrl()
    {
        var adminPort = DeployFiles.AdminPort(DeployFiles.OptionsFrom(_manifests.ContainerEnvironment()));
        var container = _manifests.Container;

        var readiness = container.Path("readinessProbe", "httpGet");
        var liveness = container.Path("livenessProbe", "httpGet");

        readiness.Text("path").Should().Be("/readyz");
        liveness.Text("path").Should().Be("/healthz");
        _manifests.ContainerPort(readiness.Text("port")!).Should().Be(adminPort);
        _manifests.ContainerPort(liveness.Text("port")!).Should().Be(adminPort);
        if (container.Has("startupProbe"))
        {
            var startup = container.Path("startupProbe", "httpGet");
            startup.Text("path").Should().Be("/healthz", "the primary answers /healthz before its workers are ready");
            _manifests.ContainerPort(startup.Text("port")!).Should().Be(adminPort);
        }
    }

    [Fact]
    public void Ports_NameTheAppPortHttpAndTheAdminPortAdmin()
    {
        var options = DeployFiles.OptionsFrom(_manifests.ContainerEnvironment());

        _manifests.ContainerPort("http").Should().Be(options.Port);
        _manifests.ContainerPort("admin").Should().Be(DeployFiles.AdminPort(options));
    }

    [Fact]
    public void Service_SelectsThePods_AndTargetsTheContainersHttpPort()
    {
        var service = _manifests.Single("Service");
        var podLabels = Labels(_manifests.Single("Deployment").Path("spec", "template", "metadata", "labels"));

        Labels(service.Path("spec", "selector")).Should().NotBeEmpty().And.BeSubsetOf(podLabels);
        var port = service.Path("spec").Sequence("ports").Should().ContainSingle("only the app's port: probes and scrapes reach each pod directly").Subject;
        _manifests.ContainerPort(port.Text("targetPort")!).Should().Be(DeployFiles.OptionsFrom(_manifests.ContainerEnvironment()).Port);
    }

    [Fact]
    public void Deployment_SelectsItsOwnPods_AndRollsWithoutLosingCapacity()
    {
        var spec = _manifests.Single("Deployment").Path("spec");

        Labels(spec.Path("selector", "matchLabels")).Should().NotBeEmpty().And.BeSubsetOf(Labels(spec.Path("template", "metadata", "labels")));
        spec.Path("strategy", "rollingUpdate").Text("maxUnavailable").Should().Be("0", "a new pod is Ready before an old one drains");
    }

    [Fact]
    public void TerminationGracePeriod_IsAboveTheDrainPlusThePreStopSleep()
    {
        var drain = DeployFiles.OptionsFrom(_manifests.ContainerEnvironment()).GracefulShutdownTimeout;
        var preStop = PreStopSleep(_manifests.Container);
        var grace = TimeSpan.FromSeconds(int.Parse(
            _manifests.Single("Deployment").Path("spec", "template", "spec").Text("terminationGracePeriodSeconds") ?? "30", CultureInfo.InvariantCulture));

        grace.Should().BeGreaterThan(drain + preStop, $"the kubelet sends SIGKILL after {grace}, counted from the preStop hook ({preStop}) on, and the drain takes up to {drain}");
    }

    [Fact]
    public void PrometheusAnnotations_ScrapeMetricsOnTheAdminPort()
    {
        var annotations = _manifests.Single("Deployment").Path("spec", "template", "metadata", "annotations");

        annotations.Text("prometheus.io/scrape").Should().Be("true");
        annotations.Text("prometheus.io/path").Should().Be("/metrics");
        annotations.Text("prometheus.io/port").Should().Be(
            DeployFiles.AdminPort(DeployFiles.OptionsFrom(_manifests.ContainerEnvironment())).ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void AdminToken_ComesFromTheSecret_WhichSaysItIsAnExample()
    {
        var token = _manifests.Container.Sequence("env").Should().ContainSingle(v => v.Text("name") == "Defuss__AdminToken").Subject;

        token.Has("value").Should().BeFalse("a token belongs in a Secret, not in the manifest");
        token.Path("valueFrom").Has("secretKeyRef").Should().BeTrue();
        File.ReadAllText(Path.Combine(KubernetesManifests.Folder, "secret.yaml")).Should().Contain("EXAMPLE");
    }

    [Fact]
    public void Pod_RunsAsNonRoot_WithAWritableTmpForThePrivateSockets()
    {
        var pod = _manifests.Single("Deployment").Path("spec", "template", "spec");
        var container = _manifests.Container;

        pod.Path("securityContext").Text("runAsNonRoot").Should().Be("true");
        if (container.Has("securityContext") && container.Path("securityContext").Text("readOnlyRootFilesystem") == "true")
        {
            var tmp = container.Sequence("volumeMounts").Should().ContainSingle(m => m.Text("mountPath") == "/tmp", "the primary's private sockets live in /tmp").Subject;
            pod.Sequence("volumes").Should().ContainSingle(v => v.Text("name") == tmp.Text("name"));
        }
    }

    [Fact]
    public void CpuLimit_IsSet_AndWorkersFollowIt()
    {
        var cpu = _manifests.Container.Path("resources", "limits").Text("cpu");

        cpu.Should().NotBeNull("Workers=auto starts one worker per CPU the runtime sees, which follows the CPU limit");
        DeployFiles.OptionsFrom(_manifests.ContainerEnvironment()).Workers.Should().BeEquivalentTo("auto");
        _manifests.ContainerEnvironment().Should().NotContainKey("DOTNET_PROCESSOR_COUNT", "it would override the CPU limit");
    }

    /// <summary>How long a <c>preStop</c> hook sleeps: <c>exec: [sleep, N]</c> or Kubernetes' own <c>sleep: { seconds: N }</c>; none without one.</summary>
    private static TimeSpan PreStopSleep(YamlMappingNode container)
    {
        if (!container.Has("lifecycle") || !container.Path("lifecycle").Has("preStop"))
        {
            return TimeSpan.Zero;
        }

        var preStop = container.Path("lifecycle", "preStop");
        if (preStop.Has("sleep"))
        {
            return TimeSpan.FromSeconds(int.Parse(preStop.Path("sleep").Text("seconds")!, CultureInfo.InvariantCulture));
        }

        var command = preStop.Path("exec").Texts("command");
        var sleep = command.Select((word, index) => (word, index)).Should().ContainSingle(w => w.word == "sleep" || w.word.EndsWith("/sleep", StringComparison.Ordinal),
            "a preStop hook other than a sleep takes a time this test cannot know").Subject;
        return TimeSpan.FromSeconds(double.Parse(command[sleep.index + 1], CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, string> Labels(YamlMappingNode labels) =>
        labels.Children.ToDictionary(pair => ((YamlScalarNode)pair.Key).Value!, pair => ((YamlScalarNode)pair.Value).Value!);
}
