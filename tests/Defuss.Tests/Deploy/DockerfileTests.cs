using System.Globalization;

namespace Defuss.Tests.Deploy;

/// <summary>
/// deploy/Dockerfile: no container engine runs here, so these check the file against what Defuss and the manifests
/// expect of the image: a non-root user, tini as PID 1, the ports the manifests use, and settings Defuss accepts.
/// </summary>
public sealed class DockerfileTests
{
    private const string DockerfilePath = "Dockerfile";

    /// <summary>The <c>app</c> user's id in the official .NET images (<c>APP_UID</c>), which the Deployment's securityContext names.</summary>
    private const int OfficialAppUid = 1654;

    private readonly Dockerfile _dockerfile = Dockerfile.Load(DeployFiles.PathOf(DockerfilePath));

    private IReadOnlyList<Dockerfile.Instruction> Runtime => _dockerfile.FinalStage;

    [Fact]
    public void Build_PublishesTheShowcaseInRelease_ByDefault_AndTheRuntimeIsTheAspnetImage()
    {
        var stages = _dockerfile.Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Arguments).ToArray();
        stages.Should().HaveCount(2);
        stages[0].Should().StartWith("mcr.microsoft.com/dotnet/sdk:");
        stages[1].Should().StartWith("mcr.microsoft.com/dotnet/aspnet:");

        var project = Dockerfile.ArgDefault(_dockerfile.Instructions, "APP_PROJECT");
        project.Should().Be("samples/Defuss.Samples.Showcase");
        Directory.EnumerateFiles(Path.Combine(DeployFiles.RepositoryRoot, project!), "*.csproj").Should().ContainSingle("dotnet publish and msbuild take the folder");
        _dockerfile.Instructions.Should().Contain(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish \"$APP_PROJECT\" -c Release", StringComparison.Ordinal));
    }

    [Fact]
    public void Image_RunsAsTheNonRootAppUser()
    {
        var user = Dockerfile.Last(Runtime, "USER");

        user.Should().NotBeNull("the image must not run as root");
        user!.Split(':')[0].Should().NotBe("root").And.NotBe("0");
        user.Should().Be("$APP_UID", "the official images' app user, by number, which runAsNonRoot can check");
        Runtime.ToList().FindLastIndex(i => i.Keyword == "RUN").Should().BeLessThan(Runtime.ToList().FindLastIndex(i => i.Keyword == "USER"), "tini is installed as root, before the user changes");
    }

    [Fact]
    public void Entrypoint_StartsTheAppUnderTini_InExecForm()
    {
        var entrypoint = Dockerfile.ExecForm(Dockerfile.Last(Runtime, "ENTRYPOINT") ?? "");

        entrypoint.Should().NotBeNull("in shell form, /bin/sh would be PID 1 and keep SIGTERM from the primary");
        Path.GetFileName(entrypoint![0]).Should().Be("tini");
        entrypoint[1].Should().Be("--");
        entrypoint.Should().HaveCount(3, "tini, --, and the app");
        Runtime.Should().Contain(i => i.Keyword == "RUN" && i.Arguments.Contains("apt-get install -y", StringComparison.Ordinal) && i.Arguments.Contains("tini", StringComparison.Ordinal));
        Dockerfile.Last(Runtime, "STOPSIGNAL").Should().Be("SIGTERM");
    }

    [Fact]
    public void Expose_CoversThePortsOfTheSettingsAndOfTheManifests()
    {
        var exposed = Dockerfile.ExposedPorts(Runtime);
        var options = DeployFiles.OptionsFrom(Dockerfile.Environment(Runtime));
        var containerPorts = KubernetesManifests.Load().Container.Sequence("ports").Select(p => int.Parse(p.Text("containerPort")!, CultureInfo.InvariantCulture));

        exposed.Should().Contain(options.Port).And.Contain(DeployFiles.AdminPort(options)).And.Contain(containerPorts);
    }

    [Fact]
    public void Settings_AreValidForDefuss_AndListenOnEveryInterface()
    {
        var options = DeployFiles.OptionsFrom(Dockerfile.Environment(Runtime));

        DeployFiles.ShouldBeValid(options, DockerfilePath);
        options.Host.Should().Be("0.0.0.0");
        options.AdminUrl.Should().StartWith("http://0.0.0.0:", "probes and Prometheus come from outside the container");
        options.AdminToken.Should().BeNull("a token belongs to the deployment, never to the image");
    }

    [Fact]
    public void AppUid_IsTheUserTheDeploymentRunsAs()
    {
        var pod = KubernetesManifests.Load().Single("Deployment").Path("spec", "template", "spec", "securityContext");

        pod.Text("runAsUser").Should().Be(OfficialAppUid.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DockerIgnore_KeepsBuildOutputOutOfTheContext()
    {
        var ignored = File.ReadAllLines(Path.Combine(DeployFiles.RepositoryRoot, ".dockerignore"))
            .Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')).ToArray();

        ignored.Should().Contain("**/bin/").And.Contain("**/obj/", "a host's obj/ carries its restore paths into the build");
    }

    [Fact]
    public void Parse_JoinsContinuedLines_AndSkipsCommentsBetweenThem()
    {
        var parsed = Dockerfile.Parse("# syntax=docker/dockerfile:1\nFROM a AS b\nRUN one \\\n# a comment\n  && two\nENV A=1 \\\n    B=\"x y\" \\\n    C=\nEXPOSE 3000/tcp 9464\n");

        parsed.Instructions.Select(i => i.Keyword).Should().Equal("FROM", "RUN", "ENV", "EXPOSE");
        parsed.Instructions[1].Arguments.Should().MatchRegex(@"^one\s+&& two$");
        Dockerfile.Environment(parsed.Instructions).Should().Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "x y", ["C"] = "" });
        Dockerfile.ExposedPorts(parsed.Instructions).Should().BeEquivalentTo([3000, 9464]);
    }
}
