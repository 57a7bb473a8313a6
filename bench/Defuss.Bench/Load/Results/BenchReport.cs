using Defuss.Bench.Load.Drivers;

namespace Defuss.Bench.Load.Results;

/// <summary>Everything one run of the load benchmark found: what the JSON report holds, and the other reports show.</summary>
/// <param name="StartedAt">When the run started.</param>
/// <param name="ElapsedSeconds">How long it took, start to reports.</param>
/// <param name="Commit">The repository's commit (<c>abc1234</c>, <c>+dirty</c> when the work tree had changes), or <c>unknown</c>.</param>
/// <param name="Machine">Where it ran.</param>
/// <param name="Settings">How it ran.</param>
/// <param name="Scenarios">The scenarios run, in order.</param>
/// <param name="Topologies">The topologies run, in order.</param>
/// <param name="Results">One row per scenario and topology, in scenario order then topology order.</param>
/// <param name="Skipped">Topologies that could not run, and why.</param>
/// <param name="Failures">What went wrong: a topology that failed to start or answered a check wrongly, a run or a measure that failed.</param>
/// <param name="Lifecycle">Start, respawn and memory of a primary, measured once; null when not measured.</param>
internal sealed record BenchReport(
    DateTimeOffset StartedAt,
    double ElapsedSeconds,
    string Commit,
    MachineInfo Machine,
    RunSettings Settings,
    IReadOnlyList<ScenarioInfo> Scenarios,
    IReadOnlyList<TopologyInfo> Topologies,
    IReadOnlyList<ResultRow> Results,
    IReadOnlyList<SkippedTopology> Skipped,
    IReadOnlyList<string> Failures,
    LifecycleResult? Lifecycle);

/// <param name="Os">The distribution, kernel and architecture.</param>
/// <param name="Cpu">The processor's model, when /proc/cpuinfo names it.</param>
/// <param name="Cores">Logical processors.</param>
/// <param name="Runtime">The .NET runtime the bench ran on.</param>
/// <param name="Wrk">wrk's version line, when it was used.</param>
internal sealed record MachineInfo(string Os, string? Cpu, int Cores, string Runtime, string? Wrk);

/// <param name="DurationSeconds">Each run's length.</param>
/// <param name="Connections">Concurrent connections of the load generator.</param>
/// <param name="Workers">Workers (or backends) of every topology but plain.</param>
/// <param name="Rounds">Rounds; the reported figures are medians over them.</param>
/// <param name="WarmupSeconds">Load per scenario and topology before the first round, not measured.</param>
/// <param name="Threads">wrk's threads.</param>
internal sealed record RunSettings(int DurationSeconds, int Connections, int Workers, int Rounds, int WarmupSeconds, int Threads);

internal sealed record ScenarioInfo(string Name, string Request);

internal sealed record TopologyInfo(string Name, string Description);

internal sealed record SkippedTopology(string Topology, string Reason);

/// <summary>One scenario on one topology: medians over the rounds, and each round.</summary>
/// <param name="RequestsPerSecond">The median of the rounds' req/s.</param>
/// <param name="P50Ms">The median of the rounds' median latencies.</param>
/// <param name="P99Ms">The median of the rounds' 99th percentile latencies.</param>
/// <param name="Errors">Every error of every round, summed: one is one too many.</param>
/// <param name="RatioToPlain">req/s over plain Kestrel's, for the same scenario; null without plain.</param>
/// <param name="RatioToNginx">req/s over nginx's; null without nginx.</param>
/// <param name="FrontCpuUsPerRequest">The median CPU time per request of the processes in front of the app (for handoff and proxy: the primary); null for plain.</param>
/// <param name="FrontRssBytes">The median resident memory of those processes after each run.</param>
internal sealed record ResultRow(
    string Scenario,
    string Topology,
    double RequestsPerSecond,
    double P50Ms,
    double P99Ms,
    long Errors,
    double? RatioToPlain,
    double? RatioToNginx,
    double? FrontCpuUsPerRequest,
    long? FrontRssBytes,
    IReadOnlyList<RoundResult> Rounds);

/// <summary>One round of one scenario on one topology.</summary>
internal sealed record RoundResult(
    int Round,
    double RequestsPerSecond,
    long Requests,
    double P50Ms,
    double P99Ms,
    ErrorCounts Errors,
    double? FrontCpuUsPerRequest,
    long? FrontRssBytes);

/// <summary>A Defuss primary's start, respawn and memory, measured once per run.</summary>
/// <param name="Workers">Its workers.</param>
/// <param name="StartupMs">From launching the primary to its first 200 on <c>GET /</c>.</param>
/// <param name="RespawnMs">From <c>kill -9</c> of a worker to its replacement's Ready row in the admin endpoint's <c>/status</c>.</param>
/// <param name="PrimaryRssBytes">The primary's resident memory after its warm-up.</param>
/// <param name="RssGoalBytes">What the primary's resident memory should stay under.</param>
internal sealed record LifecycleResult(int Workers, double StartupMs, double RespawnMs, long PrimaryRssBytes, long RssGoalBytes)
{
    public bool MeetsRssGoal => PrimaryRssBytes < RssGoalBytes;
}
