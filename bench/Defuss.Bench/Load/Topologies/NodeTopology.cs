using System.Text.RegularExpressions;
using Defuss.Bench.Load.Processes;

namespace Defuss.Bench.Load.Topologies;

/// <summary>
/// Node's cluster with one Express 5 worker per Defuss worker (bench/anchors/node): the primary accepts and hands each
/// connection to a worker round robin, as Node does by default on Linux.
/// </summary>
internal sealed partial class NodeTopology() : Topology(TopologyCatalog.Node)
{
    /// <summary>How long <c>npm ci</c> may take on a fresh clone (it downloads about 70 small packages).</summary>
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private ChildProcess? _primary;

    /// <summary>Whether the anchor's packages are there already (npm ci has run).</summary>
    public static bool IsInstalled(string directory) =>
        File.Exists(Path.Combine(directory, "node_modules", "express", "package.json"))
        && File.Exists(Path.Combine(directory, "node_modules", "ws", "package.json"));

    /// <summary>
    /// Runs <c>npm ci</c> in the anchor's directory when its packages are missing; null when they are there, else why
    /// they could not be installed.
    /// </summary>
    public static async Task<string?> InstallAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var directory = BenchEnvironment.NodeAnchorDirectory;
        if (IsInstalled(directory))
        {
            return null;
        }

        environment.Log.WriteLine($"node: installing the anchor's packages (npm ci in {directory})");
        try
        {
            var (exitCode, output) = await ChildProcess.RunAsync(
                "npm ci", environment.Tools.Npm!, ["ci", "--no-audit", "--no-fund"], InstallTimeout, cancellationToken, directory);
            return exitCode == 0 && IsInstalled(directory)
                ? null
                : $"npm ci failed in {directory} (exit code {exitCode}): {output.Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim()}";
        }
        catch (TimeoutException exception)
        {
            return $"npm ci did not finish: {exception.Message.Split('\n')[0]}";
        }
    }

    public override async Task StartAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var port = FreePorts.Next();
        _primary = Track(ChildProcess.Start(
            "node cluster primary",
            environment.Tools.Node!,
            ["server.js", "--host", "127.0.0.1", "--port", $"{port}", "--workers", $"{environment.Workers}"],
            BenchEnvironment.NodeAnchorDirectory,
            new Dictionary<string, string?> { ["NODE_ENV"] = "production" }));
        ListenOn(port);
        await _primary.WaitForLinesAsync(AllListening(), 1, HttpProbe.StartTimeout, cancellationToken);
        await HttpProbe.WaitForOkAsync(BaseAddress, _primary, HttpProbe.StartTimeout, cancellationToken);
        RememberDescendants();
    }

    public override IReadOnlyList<int> FrontPids() => _primary is null ? [] : [_primary.Pid];

    [GeneratedRegex(@"node anchor: \d+ workers listening")]
    private static partial Regex AllListening();
}
