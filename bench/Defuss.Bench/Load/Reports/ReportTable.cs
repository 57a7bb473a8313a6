using Defuss.Bench.Load.Results;

namespace Defuss.Bench.Load.Reports;

/// <summary>The results table as text cells, shared by the console and the Markdown report.</summary>
internal static class ReportTable
{
    public static readonly string[] Header = ["scenario", "topology", "req/s", "p50", "p99", "errors", "× plain", "× nginx", "front CPU/req", "front RSS"];

    /// <summary>Which columns hold numbers (right-aligned).</summary>
    public static readonly bool[] Numeric = [false, false, true, true, true, true, true, true, true, true];

    /// <summary>One row of cells per result; the scenario is named on the first row of its group only.</summary>
    public static IEnumerable<string[]> Rows(IReadOnlyList<ResultRow> results)
    {
        string? previous = null;
        foreach (var row in results)
        {
            yield return
            [
                row.Scenario == previous ? "" : row.Scenario,
                row.Topology,
                Units.Rate(row.RequestsPerSecond),
                Units.Milliseconds(row.P50Ms),
                Units.Milliseconds(row.P99Ms),
                Units.Count(row.Errors),
                Units.Ratio(row.RatioToPlain),
                Units.Ratio(row.RatioToNginx),
                Units.Microseconds(row.FrontCpuUsPerRequest),
                row.FrontRssBytes is { } rss ? Units.Size(rss) : "—",
            ];
            previous = row.Scenario;
        }
    }

    /// <summary>What the front columns measure, in one paragraph.</summary>
    public const string FrontNote =
        "front CPU/req: the CPU time (user + system, from /proc/PID/stat) of the processes between the client and the app, " +
        "over the requests served: Defuss's primary for handoff and proxy, nginx's master and worker, HAProxy, Node's cluster primary. " +
        "front RSS: their resident memory (VmRSS) after each run. errors: every round's connect, read, write and timeout errors and " +
        "answers of 400 or more, summed. Ratios divide medians of the same scenario.";
}
