using System.Diagnostics;
using System.Runtime.InteropServices;
using Defuss.Bench.Load.Drivers;
using Defuss.Bench.Load.Lifecycle;
using Defuss.Bench.Load.Options;
using Defuss.Bench.Load.Processes;
using Defuss.Bench.Load.Results;
using Defuss.Bench.Load.Scenarios;
using Defuss.Bench.Load.Topologies;

namespace Defuss.Bench.Load;

/// <summary>
/// One run of the load benchmark: the lifecycle measures alone first, then every topology started, checked and warmed
/// up, then round after round of every scenario on every topology (the topologies' order rotating from round to
/// round), then the report. Every process it starts is stopped before it returns, whatever happens.
/// </summary>
internal sealed partial class LoadRunner(LoadOptions options, TextWriter output)
{
    private readonly List<Topology> _running = [];
    private readonly List<SkippedTopology> _skipped = [];
    private readonly List<string> _failures = [];
    private readonly Dictionary<(string Scenario, string Topology), List<RoundResult>> _rounds = [];
    private readonly Dictionary<string, string> _scripts = [];

    /// <summary>Runs it all; the report, with what failed in it.</summary>
    /// <exception cref="InvalidOperationException">Nothing can run here (no wrk for HTTP scenarios, no Showcase build).</exception>
    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var tools = await Tools.FindAsync(cancellationToken);
        if (tools.Wrk is null && options.Scenarios.Any(s => s.Kind == ScenarioKind.Http))
        {
            throw new InvalidOperationException("wrk is not installed (apt-get install -y wrk): it drives every HTTP scenario");
        }

        if (!File.Exists(BenchEnvironment.ShowcasePath))
        {
            throw new InvalidOperationException($"no Showcase build at {BenchEnvironment.ShowcasePath} (dotnet build -c Release samples/Defuss.Samples.Showcase)");
        }

        var scratch = Directory.CreateTempSubdirectory("defuss-bench-");
        var environment = new BenchEnvironment(scratch.FullName, tools, options.Workers, output);
        LifecycleResult? lifecycle = null;
        try
        {
            await WriteScriptsAsync(scratch.FullName, cancellationToken);
            output.WriteLine(Plan());
            if (options.Lifecycle)
            {
                lifecycle = await MeasureLifecycleAsync(environment, cancellationToken);
            }

            await StartTopologiesAsync(environment, cancellationToken);
            await CheckAsync(cancellationToken);
            await WarmUpAsync(environment, cancellationToken);
            await RunRoundsAsync(environment, cancellationToken);
        }
        finally
        {
            await Task.WhenAll(_running.Select(t => t.DisposeAsync().AsTask()));
            _running.Clear();
            scratch.Delete(recursive: true);
        }

        var ran = options.Topologies.Where(t => _rounds.Keys.Any(k => k.Topology == t)).ToList();
        return new BenchReport(
            startedAt,
            Math.Round(clock.Elapsed.TotalSeconds, 1),
            await Commit.DescribeAsync(BenchEnvironment.RepositoryRoot, cancellationToken),
            new MachineInfo(OsName(), CpuName(), Environment.ProcessorCount, RuntimeInformation.FrameworkDescription, tools.Wrk is null ? null : await WrkVersionAsync(tools.Wrk, cancellationToken)),
            new RunSettings(options.DurationSeconds, options.Connections, options.Workers, options.Rounds, options.WarmupSeconds, options.Threads),
            [.. options.Scenarios.Select(s => new ScenarioInfo(s.Name, s.Request))],
            [.. ran.Select(t => new TopologyInfo(t, TopologyCatalog.Describe(t, options.Workers)))],
            Summaries.Build(_rounds.ToDictionary(p => p.Key, p => (IReadOnlyList<RoundResult>)p.Value), [.. options.Scenarios.Select(s => s.Name)], ran),
            _skipped,
            _failures,
            lifecycle);
    }

    /// <summary>The topologies in the order round <paramref name="round"/> (from 1) runs them: rotated by one each round, so that none always goes first.</summary>
    internal static IReadOnlyList<T> RoundOrder<T>(IReadOnlyList<T> topologies, int round)
    {
        if (topologies.Count == 0)
        {
            return topologies;
        }

        var shift = (round - 1) % topologies.Count;
        return [.. topologies.Skip(shift), .. topologies.Take(shift)];
    }

    private string Plan()
    {
        var runs = options.Scenarios.Count * options.Topologies.Count;
        var seconds = (runs * options.Rounds * (options.DurationSeconds + 1)) + (runs * options.WarmupSeconds);
        return $"Defuss load benchmark: {options.Scenarios.Count} scenario(s) × {options.Topologies.Count} topolog{(options.Topologies.Count == 1 ? "y" : "ies")} × " +
            $"{options.Rounds} round(s) of {options.DurationSeconds} s, {options.Connections} connections, {options.Workers} workers: about {Math.Ceiling(seconds / 60.0)} min";
    }

    private async Task WriteScriptsAsync(string scratch, CancellationToken cancellationToken)
    {
        // The lifecycle warm-up uses get and get-close whatever the scenarios chosen.
        var scenarios = options.Scenarios.Concat(ScenarioCatalog.All.Where(s => s.Name is ScenarioCatalog.Get or ScenarioCatalog.GetClose)).Distinct();
        foreach (var scenario in scenarios.Where(s => s.Kind == ScenarioKind.Http))
        {
            string? bodyPath = null;
            if (scenario.Body != RequestBody.None)
            {
                bodyPath = Path.Combine(scratch, $"{scenario.Name}.body");
                await File.WriteAllBytesAsync(bodyPath, RequestBodies.For(scenario.Body), cancellationToken);
            }

            var scriptPath = Path.Combine(scratch, $"{scenario.Name}.lua");
            await File.WriteAllTextAsync(scriptPath, WrkScript.For(scenario, bodyPath), cancellationToken);
            _scripts[scenario.Name] = scriptPath;
        }
    }

    private async Task<LifecycleResult?> MeasureLifecycleAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        output.Write($"lifecycle: a primary with {LifecycleProbe.Workers} workers (start, memory after warm-up, kill -9 of a worker) … ");
        await output.FlushAsync(cancellationToken);
        try
        {
            var result = await LifecycleProbe.MeasureAsync(environment, [_scripts[ScenarioCatalog.Get], _scripts[ScenarioCatalog.GetClose]], cancellationToken);
            output.WriteLine($"start {Units.Milliseconds(result.StartupMs)}, RSS {Units.Size(result.PrimaryRssBytes)}, respawn {Units.Milliseconds(result.RespawnMs)}");
            return result;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            output.WriteLine("failed");
            _failures.Add($"lifecycle: {exception.Message}");
            return null;
        }
    }

    /// <summary><c>Debian GNU/Linux 12 (bookworm), Linux 6.1.0-28-amd64, x64</c>.</summary>
    private static string OsName()
    {
        var kernel = ReadFirstLine("/proc/sys/kernel/osrelease");
        return $"{RuntimeInformation.OSDescription}{(kernel is null ? "" : $", Linux {kernel}")}, {RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
    }

    /// <summary>The processor's model name from /proc/cpuinfo, when it names one.</summary>
    private static string? CpuName()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task<string?> WrkVersionAsync(string wrk, CancellationToken cancellationToken)
    {
        try
        {
            var (_, text) = await ChildProcess.RunAsync("wrk -v", wrk, ["-v"], TimeSpan.FromSeconds(10), cancellationToken);
            var first = text.Split('\n')[0];
            var copyright = first.IndexOf(" Copyright", StringComparison.Ordinal);
            return (copyright > 0 ? first[..copyright] : first).Trim();
        }
        catch (TimeoutException)
        {
            return null;
        }
    }
}
