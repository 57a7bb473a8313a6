using System.Reflection;
using Defuss.Bench.Load.Topologies;

namespace Defuss.Bench.Load;

/// <summary>Where things are for one run: the repository, the built Showcase, the Node anchor, the tools, a scratch directory.</summary>
internal sealed class BenchEnvironment
{
    public BenchEnvironment(string scratchDirectory, Tools tools, int workers, TextWriter log)
    {
        ScratchDirectory = scratchDirectory;
        Tools = tools;
        Workers = workers;
        Log = log;
    }

    /// <summary>The repository this bench was built from.</summary>
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    /// <summary>The Showcase built in the bench's own configuration (the bench's build builds it first).</summary>
    public static string ShowcasePath { get; } = Metadata("ShowcasePath");

    /// <summary>The Node anchor's app (bench/anchors/node).</summary>
    public static string NodeAnchorDirectory => Path.Combine(RepositoryRoot, "bench", "anchors", "node");

    /// <summary>Where the reports go unless <c>--out</c> says otherwise (bench/results).</summary>
    public static string DefaultResultsDirectory => Path.Combine(RepositoryRoot, "bench", "results");

    /// <summary>This run's own directory for request bodies, scripts and configurations; removed at the end.</summary>
    public string ScratchDirectory { get; }

    public Tools Tools { get; }

    /// <summary>The workers (or backends) of every topology but plain.</summary>
    public int Workers { get; }

    /// <summary>Where the run tells a person what it does.</summary>
    public TextWriter Log { get; }

    private static string Metadata(string key) =>
        typeof(BenchEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
