using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using Defuss.Hosting;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Packaging;

/// <summary>
/// Every project under src packed from the build these tests run on (<c>dotnet pack --no-build</c>, in the
/// configuration the tests were built in) into a temp folder of its own, which is deleted with everything in it.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    /// <summary>How long packing may take on a loaded two-core machine.</summary>
    private static readonly TimeSpan PackDeadline = TimeSpan.FromMinutes(2);

    /// <summary>The packages an app's one reference to Defuss.Host brings, lowest first.</summary>
    public static readonly string[] AppPackages = ["Defuss.Worker", "Defuss.Actors", "Defuss.Host"];

    /// <summary>The <c>defuss</c> tool's package.</summary>
    public const string ToolPackage = "Defuss.Cli";

    /// <summary>The folder that holds this fixture's packages and every test's app, tools and packages cache.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("defuss-pack-").FullName;

    /// <summary>The folder the packages were packed into: an app's local package source.</summary>
    public string Source => Path.Combine(Root, "source");

    /// <summary>The packages' version, as the build these tests run on carries it.</summary>
    public string Version { get; } = InformationalVersion().Split('+')[0];

    /// <summary>The commit the build was made from (Source Link's and the .nuspec's), empty when the build knew none.</summary>
    public string Commit { get; } = InformationalVersion().Split('+') is [_, var commit] ? commit : "";

    public string PackOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var repository = Metadata("RepositoryRoot");
        using var deadline = new CancellationTokenSource(PackDeadline);
        var output = new List<string>();
        foreach (var id in AppPackages.Append(ToolPackage))
        {
            output.Add(await DotnetCommand.RunAsync(
                repository, null, deadline.Token,
                "pack", Path.Combine(repository, "src", id, id + ".csproj"),
                "-c", Metadata("Configuration"), "--no-build", "-o", Source, "--disable-build-servers"));
        }

        PackOutput = string.Join(Environment.NewLine, output);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process the test started still held a file as it ended: the temp folder is cleaned anyway.
        }

        return Task.CompletedTask;
    }

    /// <summary>The path of package <paramref name="id"/>'s <paramref name="extension"/> (<c>nupkg</c> or <c>snupkg</c>).</summary>
    public string PathOf(string id, string extension = "nupkg") => Path.Combine(Source, $"{id}.{Version}.{extension}");

    /// <summary>The <c>.nuspec</c> inside package <paramref name="id"/>.</summary>
    public XElement Nuspec(string id)
    {
        using var package = ZipFile.OpenRead(PathOf(id));
        var entry = package.Entries.Single(e => e.FullName == id + ".nuspec");
        using var stream = entry.Open();
        return XDocument.Load(stream).Root!;
    }

    /// <summary>The paths of the files inside package <paramref name="id"/>.</summary>
    public IReadOnlyList<string> Files(string id, string extension = "nupkg")
    {
        using var package = ZipFile.OpenRead(PathOf(id, extension));
        return package.Entries.Select(e => e.FullName).ToArray();
    }

    private static string InformationalVersion() =>
        typeof(DefussOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    private static string Metadata(string key) =>
        typeof(PackedPackages).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
