using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Packaging;

/// <summary>
/// The NuGet packages as an app gets them: what each carries, and a new <c>dotnet new web</c> app that references
/// Defuss.Host from the packed folder alone, restores into an empty packages folder of its own (so that nothing of the
/// repository or of the machine's cache can stand in for a missing file) and runs for real. In the real-process
/// collection, since it runs a primary with two workers besides several SDK commands.
/// </summary>
[Collection(ShowcaseCollection.Name)]
public sealed class PackagesTests(PackedPackages packages) : IClassFixture<PackedPackages>
{
    /// <summary>The whole app test: create, restore, build, run, stop. Restoring may fetch the dependencies afresh.</summary>
    private static readonly TimeSpan AppDeadline = TimeSpan.FromMinutes(4);

    /// <summary>Source Link's entry in a portable PDB's custom debug information.</summary>
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    [Fact]
    public void Packages_CarryTheirMetadataDocsAndSymbols_AndDependOnEachOtherAtExactlyTheirVersion()
    {
        var exact = $"[{packages.Version}]";
        Dependencies("Defuss.Host").Should().Contain(("Defuss.Actors", exact), "Defuss.Host uses Defuss.Actors' internals");
        Dependencies("Defuss.Actors").Should().Contain(("Defuss.Worker", exact), "Defuss.Actors uses Defuss.Worker's internals");
        foreach (var id in PackedPackages.AppPackages)
        {
            Dependencies(id).Where(d => d.Id.StartsWith("Defuss.", StringComparison.Ordinal) && d.Version != exact)
                .Should().BeEmpty($"{id} depends on each Defuss package at exactly its own version");
            packages.Files(id).Should().Contain($"lib/net10.0/{id}.dll").And.Contain($"lib/net10.0/{id}.xml", "the API's documentation");
        }

        foreach (var id in PackedPackages.AppPackages.Append(PackedPackages.ToolPackage))
        {
            var metadata = packages.Nuspec(id).Elements().Single(e => e.Name.LocalName == "metadata");
            string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            Value("description").Should().NotBeNullOrWhiteSpace(id);
            Value("license").Should().Be("MIT", id);
            Value("readme").Should().Be("README.md", id);
            packages.Files(id).Should().Contain("README.md", id);
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            repository.Attribute("url")!.Value.Should().StartWith("https://", id);
            repository.Attribute("commit")!.Value.Should().MatchRegex("^[0-9a-f]{40}$", id).And.Be(packages.Commit, id);

            var links = SourceLinks(id);
            links.Should().NotBeEmpty($"{id}'s PDB maps its sources with Source Link");
            links.Should().OnlyContain(url => url.StartsWith("https://", StringComparison.Ordinal) && url.Contains(packages.Commit, StringComparison.Ordinal), id);
        }
    }

    [Fact]
    public async Task NewWebApp_OnThePackagesAlone_ServesFromTwoWorkers_ThePackagedToolListsIt_AndSigTermExitsZero()
    {
        using var deadline = new CancellationTokenSource(AppDeadline);
        var root = Directory.CreateDirectory(Path.Combine(packages.Root, "app-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var appDirectory = Path.Combine(root, "app");
        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(root, "nuget-packages") };

        // Nothing above the app (a Directory.Build.props of the temp folder's parents, say) may shape its build.
        foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            await File.WriteAllTextAsync(Path.Combine(root, name), "<Project />", deadline.Token);
        }

        await DotnetCommand.RunAsync(root, null, deadline.Token, "new", "web", "-o", appDirectory, "--no-restore", "--no-update-check");
        await File.WriteAllTextAsync(Path.Combine(appDirectory, "nuget.config"), NuGetConfig(packages.Source), deadline.Token);
        ReferenceDefussHost(Path.Combine(appDirectory, "app.csproj"), packages.Version);
        AdoptDefuss(Path.Combine(appDirectory, "Program.cs"));
        var build = await DotnetCommand.RunAsync(appDirectory, isolated, deadline.Token, "build", "-c", "Release", "--disable-build-servers");

        foreach (var id in PackedPackages.AppPackages)
        {
            ResolvedType(appDirectory, id, packages.Version).Should().Be("package", $"{id} comes from the packed folder, not the repository{Environment.NewLine}{build}");
            File.Exists(Path.Combine(root, "nuget-packages", id.ToLowerInvariant(), packages.Version, "lib", "net10.0", id + ".dll"))
                .Should().BeTrue($"{id} {packages.Version} was restored into the app's own packages folder{Environment.NewLine}{build}");
        }

        var tools = Path.Combine(root, "tools");
        await DotnetCommand.RunAsync(appDirectory, isolated, deadline.Token,
            "tool", "install", PackedPackages.ToolPackage, "--version", packages.Version, "--tool-path", tools);

        var defuss = await DefussProcess.StartAppAsync(Path.Combine(appDirectory, "bin", "Release", "net10.0", "app.dll"));
        await using (defuss)
        {
            var (worker0, worker1) = await defuss.ReadyPidsAsync();
            var answers = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                answers.Add(await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/").WaitAsync(deadline.Token));
            }

            answers.Distinct().Should().BeEquivalentTo([worker0.ToString(), worker1.ToString()], $"GET / answers with the pid of the worker that served it, round robin over both{Environment.NewLine}{defuss.Output}");

            var listed = await DotnetCommand.RunProgramAsync(Path.Combine(tools, "defuss"), root,
                new Dictionary<string, string> { [DefussProcess.AdminDirectoryVariable] = defuss.AdminDirectory }, deadline.Token, "ls");
            Regex.Replace(listed, @"\s+", " ").Should().Contain(defuss.Pid.ToString()).And.Contain(worker0.ToString()).And.Contain(worker1.ToString());

            (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0, defuss.Output);
            await defuss.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
        }
    }

    private IEnumerable<(string Id, string Version)> Dependencies(string id) =>
        packages.Nuspec(id).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (e.Attribute("id")!.Value, e.Attribute("version")!.Value));

    /// <summary>The URLs the Source Link map in package <paramref name="id"/>'s symbol package points at.</summary>
    private string[] SourceLinks(string id)
    {
        using var symbols = ZipFile.OpenRead(packages.PathOf(id, "snupkg"));
        var entry = symbols.Entries.Single(e => e.Name == id + ".pdb");
        using var pdb = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(pdb);
        }

        pdb.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
        var reader = provider.GetMetadataReader();
        var sourceLink = reader.CustomDebugInformation.Select(reader.GetCustomDebugInformation)
            .Where(information => reader.GetGuid(information.Kind) == SourceLinkKind)
            .Select(information => Encoding.UTF8.GetString(reader.GetBlobBytes(information.Value)))
            .SingleOrDefault();
        return sourceLink is null
            ? []
            : JsonDocument.Parse(sourceLink).RootElement.GetProperty("documents").EnumerateObject().Select(document => document.Value.GetString()!).ToArray();
    }

    /// <summary>
    /// The packed folder for Defuss's packages, and the usual source for everything else. Source mapping makes sure that
    /// no Defuss package comes from anywhere but the packed folder.
    /// </summary>
    private static string NuGetConfig(string source) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="defuss" value="{source}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="defuss">
              <package pattern="Defuss.*" />
            </packageSource>
            <packageSource key="nuget.org">
              <package pattern="*" />
            </packageSource>
          </packageSourceMapping>
        </configuration>
        """;

    private static void ReferenceDefussHost(string project, string version)
    {
        var document = XDocument.Load(project);
        document.Root!.Add(new XElement("ItemGroup",
            new XElement("PackageReference", new XAttribute("Include", "Defuss.Host"), new XAttribute("Version", version))));
        document.Save(project);
    }

    /// <summary>The template's Program.cs with Defuss's two lines, and GET / answering with the serving process's id.</summary>
    private static void AdoptDefuss(string programPath)
    {
        const string CreateBuilder = "var builder = WebApplication.CreateBuilder(args);";
        const string Hello = """app.MapGet("/", () => "Hello World!");""";
        const string Run = "app.Run();";
        var program = File.ReadAllText(programPath);
        foreach (var line in new[] { CreateBuilder, Hello, Run })
        {
            program.Should().Contain(line, $"the web template's Program.cs is what this test edits:{Environment.NewLine}{program}");
        }

        program = "using Defuss.Hosting;" + Environment.NewLine + program
            .Replace(CreateBuilder, CreateBuilder + Environment.NewLine + "builder.AddDefuss();", StringComparison.Ordinal)
            .Replace(Hello, """app.MapGet("/", () => Environment.ProcessId.ToString());""", StringComparison.Ordinal)
            .Replace(Run, "await app.RunDefussAsync();", StringComparison.Ordinal);
        File.WriteAllText(programPath, program);
    }

    /// <summary>What restore made of <paramref name="id"/> in the app: <c>package</c>, or <c>project</c> had it found the repository's.</summary>
    private static string? ResolvedType(string appDirectory, string id, string version)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(appDirectory, "obj", "project.assets.json")));
        return assets.RootElement.GetProperty("libraries").TryGetProperty($"{id}/{version}", out var library)
            ? library.GetProperty("type").GetString()
            : null;
    }
}
